#include "qrfleet/runtime/consumed_batch.h"

#include <iterator>

namespace qrfleet {

bool ConsumedBatch::epochsAgree(const std::map<TopicPartition, std::int64_t>& a,
                                const std::map<TopicPartition, std::int64_t>& b) {
  for (const auto& [tp, epoch] : b) {
    auto it = a.find(tp);
    if (it != a.end() && it->second != epoch) return false;
  }
  return true;
}

void ConsumedBatch::append(ConsumedBatch&& later) {
  events.insert(events.end(), std::make_move_iterator(later.events.begin()), std::make_move_iterator(later.events.end()));
  eventMessages.insert(eventMessages.end(), later.eventMessages.begin(), later.eventMessages.end());
  rejected.insert(rejected.end(), std::make_move_iterator(later.rejected.begin()),
                  std::make_move_iterator(later.rejected.end()));
  messages.insert(messages.end(), std::make_move_iterator(later.messages.begin()),
                  std::make_move_iterator(later.messages.end()));
  for (const auto& [tp, first] : later.firstOffsets) firstOffsets.try_emplace(tp, first);
  for (const auto& [tp, last] : later.lastOffsets) {
    auto [it, added] = lastOffsets.try_emplace(tp, last);
    if (!added && last > it->second) it->second = last;
  }
  for (const auto& [tp, epoch] : later.epochs) epochs.try_emplace(tp, epoch);
  bytes += later.bytes;
}

}  // namespace qrfleet
