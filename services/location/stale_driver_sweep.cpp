#include "stale_driver_sweep.h"

#include "location_keys.h"
#include "qrfleet/time_format.h"

namespace qrfleet::location {

namespace {
// KEYS[1] seen zset. ARGV: cutoff ms, chunk size, key prefix. Returns how many were swept.
constexpr const char* kSweepScript = R"lua(
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, driver in ipairs(stale) do
  local vt = redis.call('HGET', ARGV[3] .. ':driver:' .. driver, 'vehicleType')
  if vt then redis.call('ZREM', ARGV[3] .. ':geo:' .. vt, driver) end
  redis.call('ZREM', KEYS[1], driver)
end
return #stale
)lua";
constexpr int kChunk = 1000;
}  // namespace

PeriodicTask staleDriverSweep(std::chrono::seconds staleAfter, std::chrono::milliseconds interval) {
  return {"stale-driver-sweep", interval, [staleAfter](TaskContext& ctx) {
            auto cutoff = nowMillis() - std::chrono::duration_cast<std::chrono::milliseconds>(staleAfter).count();
            long long swept = 0;
            for (;;) {
              auto n = ctx.redis.eval(kSweepScript, {keys::seen}, {std::to_string(cutoff), std::to_string(kChunk), keys::prefix})
                           ->integer;
              swept += n;
              if (n < kChunk) break;
            }
            if (swept > 0) ctx.log.info("stale drivers left the GEO sets", {{"count", swept}});
          }};
}

}  // namespace qrfleet::location
