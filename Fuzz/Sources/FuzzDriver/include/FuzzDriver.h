#ifndef SWITCHBOARD_FUZZ_DRIVER_H
#define SWITCHBOARD_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, from its no-main runtime (libclang_rt.fuzzer_no_main): runs the fuzzing
/// loop with `argv`'s options, calling `callback` with each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
