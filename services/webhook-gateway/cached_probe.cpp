#include "cached_probe.h"

namespace qrfleet::webhook {

bool CachedProbe::answer() {
  {
    std::lock_guard lock(state_);
    if (known_ && now_() - checkedAt_ < ttl_) return last_;
  }
  std::unique_lock refresh(refreshing_, std::try_to_lock);
  if (!refresh.owns_lock()) {
    // Someone is asking the broker right now: the last answer will do; before
    // any, wait for that one.
    {
      std::lock_guard lock(state_);
      if (known_) return last_;
    }
    refresh.lock();
    std::lock_guard lock(state_);
    if (known_) return last_;
  }
  bool result = check_();
  std::lock_guard lock(state_);
  known_ = true;
  last_ = result;
  checkedAt_ = now_();
  return result;
}

}  // namespace qrfleet::webhook
