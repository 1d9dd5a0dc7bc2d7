#pragma once
#include "qrfleet/service_definition.h"

// qrfleet-notifications: its routes, options and handler, stated once.
qrfleet::ServiceDefinition notificationsDefinition();
