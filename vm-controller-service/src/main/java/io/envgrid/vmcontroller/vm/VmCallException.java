package io.envgrid.vmcontroller.vm;

import io.envgrid.vmcontroller.error.ErrorCode;

/** A call to a VM's OSWorld server that did not produce an answer the caller can use. */
public abstract sealed class VmCallException extends RuntimeException
        permits VmCallException.Unreachable, VmCallException.TimedOut, VmCallException.ErrorResponse,
        VmCallException.Refused, VmCallException.CircuitOpen, VmCallException.DeadlinePassed {

    private final VmAddress vm;
    private final String endpoint;

    private VmCallException(VmAddress vm, String endpoint, String message, Throwable cause) {
        super(message, cause);
        this.vm = vm;
        this.endpoint = endpoint;
    }

    public VmAddress vm() {
        return vm;
    }

    public String endpoint() {
        return endpoint;
    }

    /** No connection, or the connection broke: the VM or its server is down. */
    public static final class Unreachable extends VmCallException {
        public Unreachable(VmAddress vm, String endpoint, Throwable cause) {
            super(vm, endpoint, "VM " + vm.key() + " is unreachable (" + endpoint + "): " + cause.getMessage(), cause);
        }
    }

    /** The VM accepted the call but did not answer in time. */
    public static final class TimedOut extends VmCallException {
        public TimedOut(VmAddress vm, String endpoint, java.time.Duration after) {
            super(vm, endpoint, "VM " + vm.key() + " did not answer " + endpoint + " within " + after.toMillis() + " ms",
                    null);
        }
    }

    /**
     * The VM's server answered with an error status. The server is alive, so this does not count
     * against the VM's circuit breaker.
     */
    public static final class ErrorResponse extends VmCallException {
        private final VmAnswer answer;

        public ErrorResponse(VmAddress vm, String endpoint, int status, String body) {
            super(vm, endpoint, "VM " + vm.key() + " answered " + endpoint + " with HTTP " + status, null);
            this.answer = new VmAnswer(status, body);
        }

        /** What the VM answered. */
        public VmAnswer answer() {
            return answer;
        }
    }

    /**
     * The desktop refused the request for what the request says (a bad value, a file that is not there,
     * the caller's code running past its own limit, a lease the desktop no longer accepts, its rate
     * limit): the caller's to fix, so it is passed on as the 4xx {@link #status()} with {@link #code()}
     * ({@link DesktopRefusals} decides which answers are such refusals). The server is alive: not counted
     * against the breaker, never retried.
     */
    public static final class Refused extends VmCallException {
        private final VmAnswer answer;
        private final int status;
        private final String code;
        private final String vmCode;
        private final String reason;

        Refused(VmAddress vm, String endpoint, VmAnswer answer, int status, String code, String vmCode, String reason) {
            super(vm, endpoint, "the desktop refused " + endpoint + ": " + reason, null);
            this.answer = answer;
            this.status = status;
            this.code = code;
            this.vmCode = vmCode;
            this.reason = reason;
        }

        /** The same refusal of an action (pyautogui or computer_13): a 400 is {@code INVALID_ACTION}. */
        public Refused ofAction() {
            String actionCode = status == 400 ? ErrorCode.INVALID_ACTION : code;
            return new Refused(vm(), endpoint(), answer, status, actionCode, vmCode, reason);
        }

        /** What the desktop answered. */
        public VmAnswer answer() {
            return answer;
        }

        /** The status the caller gets. */
        public int status() {
            return status;
        }

        /** The envelope code the caller gets. */
        public String code() {
            return code;
        }

        /** The envelope code of the desktop's own answer (the device agent sends one), or null. */
        public String vmCode() {
            return vmCode;
        }
    }

    /** The VM's circuit breaker is open after recent failures; the call was not attempted. */
    public static final class CircuitOpen extends VmCallException {
        public CircuitOpen(VmAddress vm, String endpoint) {
            super(vm, endpoint, "VM " + vm.key() + " failed repeatedly; calls are paused (" + endpoint + ")", null);
        }
    }

    /**
     * The call's {@link Deadline} (the evaluation's) passed before it was started, or while it waited for an answer
     * within the time left to it. Not the VM's fault: never retried, not counted against its breaker.
     */
    public static final class DeadlinePassed extends VmCallException {
        public DeadlinePassed(VmAddress vm, String endpoint, Deadline deadline) {
            super(vm, endpoint, deadline.reason() + " (" + endpoint + " on VM " + vm.key() + ")", null);
        }
    }
}
