package io.envgrid.gateway.desktop;

/** Resource types served by the vm-controller: OSWorld desktops, by the rollout framework's naming ({@code vm_pyautogui}, …). */
public final class VmTypes {

    private VmTypes() {
    }

    public static boolean isVm(String type) {
        return type.startsWith("vm_");
    }
}
