-- Shared by the side-by-side scripts: a random user per request, and an optional fixed delay per request
-- (DELAY_MS) so that 32 connections offer a chosen rate (wrk itself has no rate limit).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

function init(args)
   math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function user()
   return "user-" .. math.random(1, 1000000000)
end

if delay_ms > 0 then
   function delay()
      return delay_ms
   end
end
