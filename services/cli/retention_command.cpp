// `qrfleet retention trigger`: what the retention CronJob runs.
#include <iostream>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/event_id.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/events/retention_policy_triggered.h"
#include "qrfleet/time_format.h"

namespace qrfleet::cli {

void addRetentionCommand(CLI::App& app) {
  auto args = std::make_shared<events::RetentionPolicyTriggered>();
  auto topic = std::make_shared<std::string>("data-retention");
  auto* retention = app.add_subcommand("retention", "data retention policies");
  retention->require_subcommand(1);
  auto* trigger = retention->add_subcommand("trigger", "send retention.policy-triggered: run a policy now");
  trigger->add_option("--policy", args->policy, "policy name, or all")->required();
  trigger->add_option("--owner", args->ownerId, "one owner, or * for every owner");
  trigger->add_flag("--dry-run", args->dryRun, "report what would be deleted, delete nothing");
  trigger->add_option("--topic", *topic, "topic");
  trigger->callback([args, topic] {
    args->triggeredAtMs = nowMillis();
    Envelope e;
    e.eventId = randomUuid();
    e.eventType = args->type;
    e.timestampMs = args->triggeredAtMs;
    e.source = "qrfleet-cli";
    e.payload = args->toPayload();
    events::RetentionPolicyTriggered::fromEnvelope(e);  // the contract, checked before sending
    CliContext ctx;
    EventProducer producer(ctx.kafka(), "qrfleet-retention-trigger");
    producer.produceEvent(*topic, args->ownerId, e);
    producer.flush(std::chrono::seconds(30));
    std::cout << "sent " << e.eventType << " " << e.eventId << " (policy " << args->policy << ", owner "
              << args->ownerId << ") to " << *topic << "\n";
  });
}

}  // namespace qrfleet::cli
