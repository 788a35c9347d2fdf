#include "teacher/account_handlers.hpp"

#include "onboarding/account_handlers.hpp"

namespace emis::teacher {

void add_account_handlers(eventbus::HandlerRegistry& handlers, access::RevokedUsers& revoked) {
  onboarding::add_account_handlers(handlers, revoked, kAccountOwner);
}

}  // namespace emis::teacher
