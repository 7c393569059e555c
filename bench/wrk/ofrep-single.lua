-- Flagledger OFREP single-flag evaluation: a random one of the FLAGS flags for one random user per request.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local flags = tonumber(os.getenv("FLAGS") or "100")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SDK_KEY")

function request()
   return wrk.format("POST", "/ofrep/v1/evaluate/flags/flag-" .. math.random(0, flags - 1), nil,
      '{"context":{"targetingKey":"' .. user() .. '"}}')
end
