package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The whole check of one rendered overlay: typed parse, the Kubernetes API schema, and the rules. A
 * production overlay is also held to what only production needs: no Secret in the manifests (the operator
 * creates them) and every image pinned to a release tag or digest.
 */
final class DeployCheck {

    /** An exact version (x.y.z, optionally with a suffix) or a digest; never latest or a bare major. */
    private static final Pattern PINNED = Pattern.compile(".+(@sha256:[0-9a-f]{64}|:\\d+\\.\\d+\\.\\d+[\\w.-]*)$");

    private DeployCheck() {
    }

    /**
     * @param production whether the overlay is meant for production
     * @return every finding, empty when the overlay passes
     */
    static List<Finding> run(Manifests manifests, Repository repository, boolean production) {
        List<Finding> findings = new ArrayList<>(manifests.findings());
        findings.addAll(ApiSchema.validate(manifests.documents()));
        findings.addAll(SelectorRules.check(manifests));
        findings.addAll(ReferenceRules.check(manifests, repository));
        findings.addAll(HardeningRules.check(manifests, repository));
        findings.addAll(CredentialRules.check(manifests));
        findings.addAll(JvmOptionRules.check(manifests, repository));
        findings.addAll(RedisDurability.waitOutlastingTimeout(manifests, repository));
        for (Workload w : Workload.all(manifests)) {
            w.containers().stream().filter(c -> !PINNED.matcher(c.getImage()).matches()).forEach(c ->
                    findings.add(new Finding(Manifests.id(w.owner()), "image " + c.getImage() + " is not pinned to a version or digest")));
        }
        if (production) {
            manifests.all(Secret.class).forEach(s ->
                    findings.add(new Finding(Manifests.id(s), "a Secret in production manifests: the operator creates it")));
        }
        return findings;
    }
}
