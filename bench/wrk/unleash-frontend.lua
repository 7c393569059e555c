-- Unleash frontend API: every flag evaluated for one random user per request.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.headers["Authorization"] = os.getenv("UNLEASH_FRONTEND_TOKEN")

function request()
   return wrk.format("GET", "/api/frontend?userId=" .. user())
end
