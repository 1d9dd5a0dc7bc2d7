// qrfleet-scan-analytics: scans on analytics-events -> analytics read models.
#include "scan_analytics_definition.h"

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, scanAnalyticsDefinition()); }
