#pragma once
#include "qrfleet/service_definition.h"

// The worker's declaration: routes, schema, Redis prefix, options, handler factory.
qrfleet::ServiceDefinition callerDefinition();
