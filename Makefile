# tuntcp - a userspace IPv4/TCP stack on a Linux TUN device.
#
#   make            the stack (build/libtuntcp.a) and every program (build/)
#   make test       every test; ends with one line "N passed, N failed"
#   make fuzz       a longer run of the fuzz targets
#   make bench      throughput figures, kernel <-> tuntcp (needs root)
#   make docs       regenerate docs/ diagrams and traces from real captures (root)
#   make clean
#
# Variants build into their own folders:  make BUILD=build/san SAN=1
# builds everything with AddressSanitizer and UBSan (make test does both).

BUILD   ?= build
CC      ?= cc
CFLAGS_BASE := -std=c11 -Wall -Wextra -Werror -g -O1 -D_DEFAULT_SOURCE -pthread
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
CFLAGS  := $(CFLAGS_BASE) $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := -pthread $(SANFLAGS)

# The stack: one folder per layer (stack/README.md), lowest first.
LAYERS    := lib wire dev ip tcp udp api
STACK_SRC := $(wildcard $(LAYERS:%=stack/%/*.c))
STACK_HDR := $(wildcard $(LAYERS:%=stack/%/*.h))
STACK_OBJ := $(STACK_SRC:%.c=$(BUILD)/obj/%.o)
# Headers are included by name ("tcp.h").  A layer's files find their own
# headers and those of the layers below, never above: stack/ip/ compiles
# without TCP's folder on its include path.  TCP and UDP stand side by
# side on IPv4: neither sees the other's folder.  Programs and tests see all.
INC.lib   := -Istack/lib
INC.wire  := $(INC.lib) -Istack/wire
INC.dev   := $(INC.wire) -Istack/dev
INC.ip    := $(INC.dev) -Istack/ip
INC.tcp   := $(INC.ip) -Istack/tcp
INC.udp   := $(INC.ip) -Istack/udp
INC.api   := $(INC.tcp) -Istack/udp -Istack/api
STACK_INC := $(INC.api)
LIB       := $(BUILD)/libtuntcp.a

# Programs on our stack: one source file each in apps/.
APPS      := $(patsubst apps/%.c,%,$(wildcard apps/*.c))
APP_BINS  := $(APPS:%=$(BUILD)/%)

# The same sources built for the kernel's sockets (apps/sock.h).
KERNEL_APPS := echo_server echo_client blast udp_echo_server udp_echo_client
KERNEL_BINS := $(KERNEL_APPS:%=$(BUILD)/kernel/%)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all units test fuzz bench docs clean
# Keep object files that make would otherwise treat as intermediate.
.SECONDARY:
all: $(LIB) $(APP_BINS) $(KERNEL_BINS)

# Programs that test the socket API against the kernel (tests/integration).
API_BINS  := $(BUILD)/tests/sockapi

units: $(UNIT_BINS) $(API_BINS)

# stack/LAYER/file.c: with INC.LAYER.
$(BUILD)/obj/stack/%.o: stack/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC.$(firstword $(subst /, ,$*))) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(STACK_INC) -MMD -MP -c $< -o $@

$(LIB): $(STACK_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/kernel/%: apps/%.c apps/sock.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DTUNTCP_KERNEL $< -o $@ $(LDFLAGS)

$(BUILD)/%: $(BUILD)/obj/apps/%.o $(LIB)
	$(CC) $(LDFLAGS) $^ -o $@

$(BUILD)/tests/sockapi: $(BUILD)/obj/tests/api/sockapi.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -lcmocka -o $@

# The fuzz targets need clang's libFuzzer; they build from source directly.
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -std=c11 -g -O1 -D_DEFAULT_SOURCE -pthread $(STACK_INC) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# Every stack file but the runtime thread and the socket layer.
FUZZ_STACK := $(filter-out stack/api/runtime.c stack/api/socket.c,$(STACK_SRC))
build/fuzz/%: tests/fuzz/%.c $(STACK_SRC) $(STACK_HDR)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $< $(FUZZ_STACK) -o $@

fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh 300 $(FUZZ_BINS)

test:
	tests/run.sh

bench: all
	tests/bench.sh

docs: all
	tools/docs.sh

clean:
	rm -rf build

-include $(STACK_OBJ:.o=.d)
-include $(wildcard $(BUILD)/obj/apps/*.d $(BUILD)/obj/tests/unit/*.d)
