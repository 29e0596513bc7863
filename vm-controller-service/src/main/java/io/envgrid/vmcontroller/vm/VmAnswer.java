package io.envgrid.vmcontroller.vm;

/**
 * A VM's OSWorld server's answer to a call that failed: its HTTP status and its body as text (what
 * the error envelope passes on as {@code vm_status} and {@code vm_body}).
 */
public record VmAnswer(int status, String body) {
}
