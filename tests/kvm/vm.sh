# vm.sh: sourced helpers to boot a nested test VM (QEMU TCG, AMD SVM, kvm_amd) that runs a command
# from this repo against the host's root file system (shared read-only over 9p) and streams its output.
# Used by tests/kvm/run.sh (program tests on --backend kvm) and bench/kvm_nested.sh.
# Needs: bash, and before it sources this file: cd to the repo root, B set (the build directory).
#
# Console protocol (the only thing the host trusts): init prints every line of the command's output as
# "@@ LINE", "@@READY" once /dev/kvm exists, "@@FATAL why" on a setup failure, and "@@END rc=N" last.
# QEMU's own exit status says nothing about the test, so the host reads these lines, never the status.

KVM_PKGS=(qemu-system-x86 busybox-static cpio kmod)
KVM_WHY=                                        # why the last helper failed
KVM_DIR=${KVM_DIR:-$B/kvm}                      # cache: kernel package, unpacked tree, initramfs
KVM_VM_MEM=${KVM_VM_MEM:-3072}                  # MiB; buffervm reserves 1 GiB lazily per run inside
KVM_VM_TIMEOUT=${KVM_VM_TIMEOUT:-2400}          # seconds for one whole boot + command, then killed
# Top-level modules; their dependencies come first, in modules.dep order (modprobe --show-depends).
KVM_MODULES=(virtio_pci 9pnet_virtio 9p kvm_amd)

kvm_now() { date +%s.%N; }
kvm_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# kvm_stage NAME SECONDS: print a stage time now and append it to KVM_STAGES (a file, so that stages
# timed in background jobs count too) for a summary at the end.
KVM_STAGES=$KVM_DIR/stages.txt
kvm_stage() { echo "stage $1: $2 s"; echo "$1: $2 s" >>"$KVM_STAGES"; }

# kvm_need_tools: succeed when every tool the nested run needs is present.
kvm_need_tools() {
    command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] && command -v cpio >/dev/null &&
        command -v depmod >/dev/null && command -v modprobe >/dev/null
}

# kvm_install: install the Debian packages with apt-get when something is missing (root only).
# On failure KVM_WHY says why; the caller turns that into a FAIL, never a silent skip.
kvm_install() {
    kvm_need_tools && return 0
    if [ "$(id -u)" != 0 ]; then
        KVM_WHY="not root and missing tools; run as root: apt-get install -y ${KVM_PKGS[*]}"
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${KVM_PKGS[@]}" >"$KVM_DIR/apt.log" 2>&1; then
        # A fresh machine may have no package lists yet.
        apt-get update -qq >>"$KVM_DIR/apt.log" 2>&1
        apt-get install -y -qq --no-install-recommends "${KVM_PKGS[@]}" >>"$KVM_DIR/apt.log" 2>&1 ||
            { KVM_WHY="apt-get install failed: $(tail -n 2 "$KVM_DIR/apt.log" | tr '\n' ' ')"; return 1; }
    fi
    kvm_need_tools || { KVM_WHY="tools still missing after apt-get install"; return 1; }
}

# kvm_kernel: fetch and unpack the Debian kernel package once (cached under $KVM_DIR); sets KVM_KVER,
# KVM_VMLINUZ and KVM_MODROOT. apt-cache needs package lists, so update them when it finds nothing.
kvm_kernel() {
    local pkg deb
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$pkg" ]; then
        apt-get update -qq >/dev/null 2>&1
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    fi
    [ -n "$pkg" ] || { KVM_WHY="apt-cache depends linux-image-amd64 names no versioned kernel package"; return 1; }
    KVM_KVER=${pkg#linux-image-}
    KVM_MODROOT=$KVM_DIR/root
    KVM_VMLINUZ=$KVM_MODROOT/boot/vmlinuz-$KVM_KVER
    if [ -f "$KVM_DIR/root/.unpacked-$KVM_KVER" ]; then return 0; fi
    rm -rf "$KVM_DIR/deb" "$KVM_MODROOT"
    mkdir -p "$KVM_DIR/deb"
    # apt-get download writes to the current directory; _apt cannot write into build/, hence the warning filter.
    (cd "$KVM_DIR/deb" && apt-get download "$pkg" 2>&1 | grep -v 'unsandboxed' >&2) || true
    deb=$(ls "$KVM_DIR"/deb/"$pkg"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { KVM_WHY="apt-get download $pkg failed"; return 1; }
    dpkg -x "$deb" "$KVM_MODROOT" || { KVM_WHY="dpkg -x $deb failed"; return 1; }
    depmod -b "$KVM_MODROOT" "$KVM_KVER" || { KVM_WHY="depmod failed"; return 1; }
    [ -f "$KVM_VMLINUZ" ] || { KVM_WHY="$KVM_VMLINUZ missing after unpacking"; return 1; }
    rm -f "$deb" # the unpacked tree is the cache; the .deb is not needed again
    touch "$KVM_DIR/root/.unpacked-$KVM_KVER"
}

# kvm_initramfs OUT REPO CMD [DIR...]: build an initramfs with busybox, the modules in load order, our
# init and a config naming the repo (the command's working directory in the host's tree), the command,
# and the directories it needs (absolute, no spaces; those under /tmp are kept visible in the VM).
kvm_initramfs() {
    local out=$1 repo=$2 cmd=$3 st=$KVM_DIR/initramfs-root m f
    shift 3
    rm -rf "$st"
    mkdir -p "$st"/{bin,dev,proc,sys,host,modules,etc}
    cp /bin/busybox "$st/bin/busybox"
    cp tests/kvm/init "$st/init"
    chmod 755 "$st/init"
    : >"$st/modules/order"
    for m in "${KVM_MODULES[@]}"; do
        modprobe -d "$KVM_MODROOT" -S "$KVM_KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
    done >"$KVM_DIR/modules.list" # a module missing here shows up as "not among the modules" below
    while read -r f; do
        m=$(basename "$f")
        grep -qx "$m" "$st/modules/order" && continue # shared dependency, already loaded
        cp "$f" "$st/modules/$m"
        echo "$m" >>"$st/modules/order"
    done <"$KVM_DIR/modules.list"
    for m in virtio_pci.ko 9pnet_virtio.ko 9p.ko kvm-amd.ko; do
        grep -qx "$m" "$st/modules/order" || { KVM_WHY="$m not among the modules (modprobe --show-depends)"; return 1; }
    done
    { printf 'BVM_REPO=%q\n' "$repo"; printf 'BVM_CMD=%q\n' "$cmd"; printf 'BVM_KEEP=%q\n' "$repo $*"; } \
        >"$st/etc/bvm.conf"
    (cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$out" || { KVM_WHY="cpio failed"; return 1; }
}

# kvm_boot CPU INITRD: boot the VM under `-cpu CPU`, print "@@..." console lines (CR stripped, the
# "@@" kept) as they arrive, and the raw console to $KVM_DIR/console-CPU.log. Bounded by KVM_VM_TIMEOUT.
kvm_boot() {
    local cpu=$1 initrd=$2
    timeout -k 10 "$KVM_VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m "$KVM_VM_MEM" -smp 1 \
        -nodefaults -display none -no-reboot -serial stdio -monitor none \
        -kernel "$KVM_VMLINUZ" -initrd "$initrd" \
        -append "console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        </dev/null 2>&1 | sed -u 's/\r$//' | tee "$KVM_DIR/console-$cpu.log" | grep -a --line-buffered '^@@'
    true # QEMU's status is meaningless here; the caller judges by the markers
}

# kvm_prepare: install tools, fetch the kernel, recording both stage times; on failure returns 1 with
# KVM_WHY set.
kvm_prepare() {
    local t0 t1
    mkdir -p "$KVM_DIR"
    : >"$KVM_STAGES"
    t0=$(kvm_now)
    kvm_install || return 1
    t1=$(kvm_now); kvm_stage apt "$(kvm_secs "$t0" "$t1")"
    kvm_kernel || return 1
    t0=$(kvm_now); kvm_stage "kernel fetch" "$(kvm_secs "$t1" "$t0")"
}
