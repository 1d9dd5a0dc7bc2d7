// qrfleet-payments: provider payment events (payment-events) -> payments,
// subscriptions, a double-entry ledger, dunning of unpaid invoices (Stripe),
// fraud flags; the payments schema, customer summaries in Redis,
// notification requests and audit records.
#include "payments_definition.h"

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, paymentsDefinition()); }
