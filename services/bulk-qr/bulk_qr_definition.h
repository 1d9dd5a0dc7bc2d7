#pragma once
#include "qrfleet/service_definition.h"

// qrfleet-bulk-qr's declaration: routes, schema, options (main.cpp runs it;
// the handler tests and --describe read it).
qrfleet::ServiceDefinition bulkQrDefinition();
