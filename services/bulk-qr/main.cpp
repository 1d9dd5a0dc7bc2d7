// qrfleet-bulk-qr: bulk QR generation (bulk-qr-processing, bulk-qr-chunks)
// -> PNG/SVG codes and a ZIP archive in object storage, the qr schema,
// progress in Redis, bulk-qr-status and the owner's notification.
#include "bulk_qr_definition.h"

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, bulkQrDefinition()); }
