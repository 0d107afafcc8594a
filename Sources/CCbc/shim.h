// COIN-OR Branch and Cut (Debian: coinor-libcbc-dev). Only its headers and
// link flags (from pkg-config `cbc`) are used, by the C++ driver in
// Sources/CCbcDriver.
#include <coin/CbcConfig.h>
