package io.envgrid.gateway.desktop;

/** Resource types served by the vm-controller: OSWorld desktops, by seed 000's naming ({@code vm_pyautogui}, …). */
public final class VmTypes {

    private VmTypes() {
    }

    public static boolean isVm(String type) {
        return type.startsWith("vm_");
    }
}
