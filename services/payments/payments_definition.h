#pragma once
#include "qrfleet/service_definition.h"

// qrfleet-payments: its routes, options, handler and dunning task, stated once.
qrfleet::ServiceDefinition paymentsDefinition();
