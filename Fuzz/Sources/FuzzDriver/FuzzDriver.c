// The declaration in include/FuzzDriver.h is all there is: libFuzzer provides the function.
#include "FuzzDriver.h"
