#pragma once
#include "qrfleet/service_definition.h"

// qrfleet-scan-analytics as the runtime runs it: routes, schema, Redis prefix, options, handler factory.
qrfleet::ServiceDefinition scanAnalyticsDefinition();
