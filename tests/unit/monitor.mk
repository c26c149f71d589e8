# monitor.mk: unit tests of the host monitor's pieces, linked against its objects.
UNIT_DIR := $(B)/tests/unit
MON_UNIT_OBJ := $(filter-out $(B)/monitor/main.o,$(MONITOR_OBJ))
MON_UNITS := $(patsubst tests/unit/mon_%.c,$(UNIT_DIR)/mon_%,$(wildcard tests/unit/mon_*.c))
TESTS_BUILD += $(MON_UNITS)

$(UNIT_DIR)/mon_%: tests/unit/mon_%.c $(HARNESS) $(MON_UNIT_OBJ) $(B)/libsoftcpu.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isoftcpu -Imonitor -Itests -o $@ $(HARNESS_SRC) $< $(MON_UNIT_OBJ) $(B)/libsoftcpu.a $(MONITOR_LIBS)
