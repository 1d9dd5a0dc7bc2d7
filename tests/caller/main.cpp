// qrfleet-test-caller: a worker for the runtime's outside-call tests and
// benchmark (attempt ledger, concurrency, failover, shared rate limits,
// a worker without Redis). Not shipped.
#include "caller_definition.h"

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, callerDefinition()); }
