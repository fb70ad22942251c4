#pragma once

// What every fuzz target shares: the invariant check that turns a violated property into a crash
// libFuzzer reports (with the input that caused it), and small text helpers the properties use.

#include <QString>

#include <cstdio>
#include <cstdlib>

#define CHECK(condition)                                                                           \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "invariant violated: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace Maestro::Fuzz {

// The text without any white space: for properties that hold up to the blanks a transformation
// may drop.
inline QString withoutSpace(QString text)
{
    text.removeIf([](QChar c) { return c.isSpace(); });
    return text;
}

} // namespace Maestro::Fuzz
