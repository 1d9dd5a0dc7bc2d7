// qrfleet-bulk-qr: bulk QR generation (bulk-qr-processing, bulk-qr-chunks)
// -> PNG/SVG codes and a ZIP archive in object storage, the qr schema,
// progress in Redis, bulk-qr-status and the owner's notification.
#include "bulk_qr_definition.h"

#include <sys/resource.h>

int main(int argc, char** argv) {
  // The archive keeps every chunk's part open while libzip writes it: allow as
  // many files as the system lets this process have.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  return qrfleet::runService(argc, argv, bulkQrDefinition());
}
