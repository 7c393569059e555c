-- Shared by the side-by-side scripts: a random user per request, and an optional fixed delay per request
-- (DELAY_MS, fractional) so that 32 connections offer a chosen rate (wrk itself has no rate limit).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

function init(args)
   math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function user()
   return "user-" .. math.random(1, 1000000000)
end

if delay_ms > 0 then
   -- wrk takes whole milliseconds: a fractional pause is dithered between its two neighbours, right on average.
   local whole = math.floor(delay_ms)
   local frac = delay_ms - whole
   function delay()
      if math.random() < frac then return whole + 1 end
      return whole
   end
end
