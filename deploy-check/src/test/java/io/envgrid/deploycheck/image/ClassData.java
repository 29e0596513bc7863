package io.envgrid.deploycheck.image;

import java.util.List;

/**
 * What an image's runtime starts its service from besides the jars: JDK 25's AOT cache (JEP 483/514/515: classes
 * loaded and linked ahead of time, method profiles of the training run) where the build has a JDK 25 or later,
 * JDK 17's application class-data sharing archive (a dynamic AppCDS archive) otherwise. Both are recorded at image
 * build time by {@link AppCdsArchive} and named relative to {@code /deployments}, next to the jar they were recorded on.
 */
enum ClassData {

    /** A dynamic archive on top of the runtime's base archive, written as the training run exits. */
    APP_CDS("app-cds.jsa", "appcds", "-XX:SharedArchiveFile=", "cds", "Mapped dynamic region", "source: shared objects file (top)"),
    /**
     * An AOT cache, assembled by a second JVM the training run starts as it exits; it replaces the JDK's own archive,
     * so every class the start took from it (the JDK's too) logs as coming from the "shared objects file".
     */
    AOT_CACHE("app.aot", "aot-cache", "-XX:AOTCache=", "aot", "Opened AOT cache app.aot.", "source: shared objects file");

    /** The file's name in {@code /deployments}. */
    final String file;
    /** Its kind, in the image's {@link ServiceImage#CLASS_DATA_LABEL} label. */
    final String label;
    /** The entrypoint option that names the file (what a start without it leaves out). */
    final String option;
    /** The unified-logging tag the JVM reports opening and mapping it under. */
    final String logTag;
    /** The JVM's log line (at {@code info} under {@link #logTag}) saying it opened the file. */
    final String opened;
    /** How {@code -Xlog:class+load} names a class loaded from it. */
    final String classSource;

    ClassData(String file, String label, String option, String logTag, String opened, String classSource) {
        this.file = file;
        this.label = label;
        this.option = option;
        this.logTag = logTag;
        this.opened = opened;
        this.classSource = classSource;
    }

    /**
     * The entrypoint's options for it. AppCDS: {@code -Xshare:auto}, so an archive the JVM refuses (another runtime,
     * a changed jar) costs start-up time, never the start; an AOT cache is used the same way by default
     * ({@code -XX:AOTMode=auto}).
     */
    List<String> entrypointOptions() {
        return this == APP_CDS ? List.of("-Xshare:auto", option + file) : List.of(option + file);
    }

    /** The training run's option that records it. */
    String recordOption() {
        return this == APP_CDS ? "-XX:ArchiveClassesAtExit=" + file : "-XX:AOTCacheOutput=" + file;
    }

    /**
     * Options that turn a file the JVM would refuse (another runtime, an incompatible option, for AppCDS a changed
     * jar) into a start-up error instead of a silent start without it.
     */
    List<String> strictOptions() {
        return this == APP_CDS ? List.of("-Xshare:on", option + file) : List.of("-XX:AOTMode=on", option + file);
    }

    /** Logging that shows the file opened and which classes came from it. */
    String logging() {
        return "-Xlog:" + logTag + "=info,class+load=info";
    }
}
