-- wrk script for audit-service/bench/merkle-proofs.sh: random proofs over a ledger of N leaves whose event ids are
-- derived from their sequence numbers (00000000-0000-4000-8000-<seq as 12 hex digits>).
-- wrk ... -s proofs.lua <url> -- <inclusion|consistency|baseline> <leaves> <token>
-- Run from the repository's root. DELAY_MS (bench/wrk/common.lua, which also seeds the random numbers) paces each
-- connection; unset, it is a closed loop.
dofile("bench/wrk/common.lua")
local seed = init
local kind, n, token
function init(args)
  seed(args)
  kind, n, token = args[1], tonumber(args[2]), args[3]
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  if kind == "inclusion" then
    local seq = math.random(1, n)
    local path = string.format("/api/v1/audit/events/00000000-0000-4000-8000-%012x", seq)
    -- half against the latest checkpoint, half against a random older tree that contains the entry
    if math.random() < 0.5 then path = path .. "?tree_size=" .. math.random(seq, n) end
    return wrk.format("GET", path)
  elseif kind == "consistency" then
    local from = math.random(1, n)
    return wrk.format("GET", string.format("/api/v1/audit/proofs/consistency?from=%d&to=%d", from, math.random(from, n)))
  end
  return wrk.format("GET", "/q/health/live")
end

function done(summary, latency)
  io.write(string.format("RESULT requests=%d non200=%d errors=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
