-- Flagledger OFREP bulk evaluation: every flag evaluated for one random user per request.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SDK_KEY")

function request()
   return wrk.format("POST", "/ofrep/v1/evaluate/flags", nil, '{"context":{"targetingKey":"' .. user() .. '"}}')
end
