#pragma once

#include "httpcontext.h"
#include "proxycall.h"

namespace Maestro {

class Gateway;

// The limits step of a proxied request (see Limiter): admitted, the request goes upstream;
// refused, it is answered 429 in its dialect. When the limits shared with other instances must
// decide, the request waits, parked, while its I/O thread serves others, and goes on (or gets
// its 429, or a 503 when no decision came within Limiter::ParkTimeoutMs) once the answer is in.
// `user` and `config` belong to the snapshot `plan` holds.
void admitAndProxy(Gateway *gateway, HttpContext &ctx, const User &user, const ModelConfig *config, ProxyPlan plan);

} // namespace Maestro
