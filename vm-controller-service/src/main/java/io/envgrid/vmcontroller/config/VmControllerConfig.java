package io.envgrid.vmcontroller.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.quarkus.runtime.configuration.MemorySize;
import java.time.Duration;
import java.util.Optional;

/** Typed settings of the VM controller; every one has a working default. */
@ConfigMapping(prefix = "envgrid.vm-controller")
public interface VmControllerConfig {

    /**
     * For measurement only (the benchmark's "without" column): {@code false} skips the check of the
     * allocator's lease record on each session call, so nothing but the session's own state guards
     * the VM. Never set it in a deployment; the service logs a warning at start when it is off.
     */
    @WithDefault("true")
    boolean leaseCheck();

    /** Upper bound on a session's life in Redis, so a session whose lease end was missed cannot linger. */
    @WithDefault("24h")
    Duration sessionTtl();

    /** How long an ended session is remembered, so late requests get 409 instead of 404. */
    @WithDefault("1h")
    Duration endedRetention();

    /** Longest a single Redis round trip may take before the request fails. */
    @WithDefault("5s")
    Duration redisTimeout();

    /** How the session store waits for Redis replicas ({@code redis/ReplicaAcknowledgement}). */
    Redis redis();

    /** {@code envgrid.vm-controller.redis.*}. */
    interface Redis {

        /**
         * Replicas that must acknowledge ({@code WAIT}) the writes of a session opening before {@code POST /sessions}
         * answers, so a Redis failover to one of them keeps every session the controller confirmed; 0 (default)
         * answers as soon as the master applied them. Standalone or Sentinel only ({@code WAIT} names no key, so on
         * Cluster it would reach an arbitrary node). Set it as the allocator's {@code envgrid.allocator.redis.wait-replicas}.
         */
        @WithDefault("0")
        int waitReplicas();

        /**
         * Longest one {@code WAIT} blocks; fewer acknowledgements by then answer 503 {@code REPLICATION_TIMEOUT}. Must be
         * shorter than {@code redis-timeout}, which bounds the script and the {@code WAIT} together (checked at start).
         */
        @WithDefault("1s")
        Duration waitTimeout();
    }

    Vm vm();

    Computer13 computer13();

    Evaluation evaluation();

    /** {@code task/evaluate}. */
    interface Evaluation {

        /**
         * The wall-clock time one {@code task/evaluate} call may take, postconfig and getters together: once it has
         * passed no desktop call is started and the remaining checks score 0 with it as their reason; a call running
         * then gets the time left as its timeout. Under the gateway's {@code downstream.action-timeout} (130 s), so
         * the answer arrives while the gateway still waits for it and no controller thread outlives its caller by
         * more than a desktop call's wait.
         */
        @WithDefault("120s")
        Duration deadline();
    }

    /** How the service talks to the OSWorld server inside each VM. */
    interface Vm {

        @WithDefault("3s")
        Duration connectTimeout();

        /** GET /screenshot, as OSWorld's controller waits for it. */
        @WithDefault("10s")
        Duration screenshotTimeout();

        /** Accessibility tree, screen size, cursor, platform, directory listing. */
        @WithDefault("30s")
        Duration readTimeout();

        /** /execute, /run_python, /setup/launch and the pyautogui actions, as OSWorld's controller waits. */
        @WithDefault("120s")
        Duration executeTimeout();

        /** Added to a bash script's own timeout, as OSWorld's controller does. */
        @WithDefault("100s")
        Duration bashTimeoutMargin();

        /** File transfers and recordings. */
        @WithDefault("600s")
        Duration transferTimeout();

        /**
         * The largest file read from a desktop ({@code /file}: files/read, the vm_file getter) and the largest
         * screenshot. Answers are held in memory and the file is the worker's, so an unbounded one could fill the
         * heap; larger is {@code 413 ANSWER_TOO_LARGE}.
         */
        @WithDefault("64M")
        MemorySize maxFileSize();

        /** The largest recording passed on ({@code /end_recording}); a long 1080p screencast is tens of MB. */
        @WithDefault("512M")
        MemorySize maxRecordingSize();

        /**
         * The largest of every other answer (JSON and text: the accessibility tree, a command's output, a directory
         * listing, the desktop's error pages).
         */
        @WithDefault("16M")
        MemorySize maxAnswerSize();

        /** Extra attempts for idempotent reads only; actions and commands are never repeated. */
        @WithDefault("2")
        int readRetries();

        @WithDefault("200ms")
        Duration readRetryDelay();

        Breaker breaker();
    }

    /** One circuit breaker per VM: a dead VM fails fast instead of tying up a thread per request. */
    interface Breaker {

        /** Calls looked at before the breaker may open. */
        @WithDefault("4")
        int requestVolumeThreshold();

        @WithDefault("0.5")
        double failureRatio();

        /** How long an open breaker rejects calls before letting a trial call through. */
        @WithDefault("10s")
        Duration delay();
    }

    /** The computer_13 action space (OSWorld desktop_env/actions.py). */
    interface Computer13 {

        @WithDefault("1920")
        int screenWidth();

        @WithDefault("1080")
        int screenHeight();

        /**
         * Duration of MOVE_TO. OSWorld picks a random duration and easing per move; unset, the
         * cursor jumps, which makes runs reproducible.
         */
        Optional<Double> moveDurationSeconds();

        /** Easing used when a move duration is set. */
        @WithDefault("pyautogui.easeInOutQuad")
        String moveTween();
    }
}
