#pragma once
#include <string>
#include <string_view>

namespace qrfleet {

// Random (v4) UUID for events that originate here (load generator, CLI).
std::string randomUuid();

// Name-based (v5, SHA-1) UUID. Derived events use
// deterministicEventId(causingEventId, index) so a retried or replayed step
// emits the same ids and consumers de-duplicate them.
std::string uuidV5(std::string_view namespaceUuid, std::string_view name);
std::string deterministicEventId(std::string_view causingEventId, int index);

bool isUuid(std::string_view s);

}  // namespace qrfleet
