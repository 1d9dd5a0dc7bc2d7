// qrfleet-notifications: notification requests (notifications-urgent,
// notifications, notifications-bulk) -> email, SMS, push and in-app
// deliveries, the notify schema, status in Redis, notification-status.
#include "notifications_definition.h"

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, notificationsDefinition()); }
