# check.mk: the heap checker's corpus (tests/check/run.sh): each C program built three ways,
# dynamic glibc (.dyn), static glibc (.glibc) and static musl (.musl), each C++ one dynamic (.cxx)
# and static (.cxxs), at -O0 with frame pointers (buffervm check's stacks follow them). Sources
# with a "// build: o2" line are also built with -O2 -fomit-frame-pointer (.o2dyn, .o2glibc,
# .o2musl; .o2cxx, .o2cxxs): there only the first frame, the faulting or calling line, is sure.
CHECK_DIR  := $(B)/tests/check
CHECK_C    := $(wildcard tests/check/*.c)
CHECK_CC   := $(wildcard tests/check/*.cc)
CHECK_O2   := $(basename $(notdir $(shell grep -l '^// build: o2' $(CHECK_C) $(CHECK_CC) /dev/null)))
CHECK_O2C  := $(filter $(CHECK_O2),$(CHECK_C:tests/check/%.c=%))
CHECK_O2CC := $(filter $(CHECK_O2),$(CHECK_CC:tests/check/%.cc=%))
CHECK_BINS := $(foreach s,dyn glibc musl,$(CHECK_C:tests/check/%.c=$(CHECK_DIR)/%.$(s))) \
              $(foreach s,cxx cxxs,$(CHECK_CC:tests/check/%.cc=$(CHECK_DIR)/%.$(s))) \
              $(foreach s,o2dyn o2glibc o2musl,$(CHECK_O2C:%=$(CHECK_DIR)/%.$(s))) \
              $(foreach s,o2cxx o2cxxs,$(CHECK_O2CC:%=$(CHECK_DIR)/%.$(s)))
TESTS_BUILD += $(CHECK_BINS)
CHECK_O0 := -g -O0 -fno-omit-frame-pointer -w
CHECK_O2F := -g -O2 -fomit-frame-pointer -w

$(CHECK_DIR)/%.dyn: tests/check/%.c tests/check/corpus.h
	@mkdir -p $(dir $@)
	gcc $(CHECK_O0) -o $@ $<
$(CHECK_DIR)/%.glibc: tests/check/%.c tests/check/corpus.h
	@mkdir -p $(dir $@)
	gcc -static $(CHECK_O0) -o $@ $<
$(CHECK_DIR)/%.musl: tests/check/%.c tests/check/corpus.h
	@mkdir -p $(dir $@)
	musl-gcc -static $(CHECK_O0) -o $@ $<
$(CHECK_DIR)/%.o2dyn: tests/check/%.c tests/check/corpus.h
	@mkdir -p $(dir $@)
	gcc $(CHECK_O2F) -o $@ $<
$(CHECK_DIR)/%.o2glibc: tests/check/%.c tests/check/corpus.h
	@mkdir -p $(dir $@)
	gcc -static $(CHECK_O2F) -o $@ $<
$(CHECK_DIR)/%.o2musl: tests/check/%.c tests/check/corpus.h
	@mkdir -p $(dir $@)
	musl-gcc -static $(CHECK_O2F) -o $@ $<
$(CHECK_DIR)/%.cxx: tests/check/%.cc
	@mkdir -p $(dir $@)
	g++ $(CHECK_O0) -o $@ $<
$(CHECK_DIR)/%.cxxs: tests/check/%.cc
	@mkdir -p $(dir $@)
	g++ -static $(CHECK_O0) -o $@ $<
$(CHECK_DIR)/%.o2cxx: tests/check/%.cc
	@mkdir -p $(dir $@)
	g++ $(CHECK_O2F) -o $@ $<
$(CHECK_DIR)/%.o2cxxs: tests/check/%.cc
	@mkdir -p $(dir $@)
	g++ -static $(CHECK_O2F) -o $@ $<

# make check-corpus: the corpus alone (tests-build also builds it)
check-corpus: $(CHECK_BINS)
.PHONY: check-corpus

# run_formats.sh's threaded program (not a corpus case: it has no annotation)
$(CHECK_DIR)/formats/thread_error: tests/check/formats/thread_error.c
	@mkdir -p $(dir $@)
	gcc $(CHECK_O0) -pthread -o $@ $<
TESTS_BUILD += $(CHECK_DIR)/formats/thread_error
