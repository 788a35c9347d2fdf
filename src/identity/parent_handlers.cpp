#include "identity/parent_handlers.hpp"

#include "contracts/student_events.hpp"
#include "identity/entity_accounts.hpp"

namespace emis::identity {

void add_parent_handlers(eventbus::HandlerRegistry& handlers, AccountEffects effects, std::string region,
                         const CodeDelivery* first_code) {
  using contracts::ParentCreated;
  using contracts::ParentDeleted;
  using eventbus::IncomingEvent;

  handlers.on<ParentCreated>([outbox = &effects.outbox, region, first_code](
                                 store::Transaction& tx, const ParentCreated& e, const IncomingEvent& in) {
    const auto provisioned = provision_account(
        tx, *outbox, {e.parent_id, "Parent", role::parent, e.tenant_id, e.phone_number, e.full_name, e.email},
        region, in.traceparent);
    if (provisioned && provisioned->made && first_code)
      first_code->send_new_code(tx, provisioned->account, CodePurpose::activation);
  });

  handlers.on<ParentDeleted>(
      [effects](store::Transaction& tx, const ParentDeleted& e, const IncomingEvent& in) {
        retire_entity_account(tx, effects, e.id, e.tenant_id, in.traceparent);
      });
}

}  // namespace emis::identity
