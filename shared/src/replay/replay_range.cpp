#include "qrfleet/replay/replay_range.h"

#include <algorithm>

namespace qrfleet {

ReplayRange ReplayRange::of(KafkaAdmin& admin, const std::vector<std::string>& topics,
                            std::optional<std::int64_t> fromMs) {
  ReplayRange r;
  for (const auto& topic : topics) {
    auto fromOffsets = fromMs ? admin.offsetsForTime(topic, *fromMs) : std::map<int, std::int64_t>{};
    for (const auto& [p, wm] : admin.watermarks(topic)) {
      TopicPartition tp{topic, p};
      r.start[tp] = fromMs ? fromOffsets.at(p) : wm.first;
      r.end[tp] = wm.second;
    }
  }
  return r;
}

std::int64_t ReplayRange::total() const { return remaining({}); }

std::int64_t ReplayRange::remaining(const std::map<TopicPartition, std::int64_t>& stored) const {
  std::int64_t left = 0;
  for (const auto& [tp, last] : end) {
    auto it = stored.find(tp);
    auto at = it != stored.end() && it->second >= 0 ? it->second : start.at(tp);
    left += std::max<std::int64_t>(0, last - at);
  }
  return left;
}

}  // namespace qrfleet
