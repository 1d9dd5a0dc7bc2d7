#include "location_definition.h"

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, locationDefinition()); }
