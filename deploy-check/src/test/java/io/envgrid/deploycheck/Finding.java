package io.envgrid.deploycheck;

/**
 * One thing wrong with the rendered manifests.
 *
 * @param object  {@code Kind namespace/name} of the object it is about
 * @param problem what is wrong, in a sentence
 */
record Finding(String object, String problem) {

    @Override
    public String toString() {
        return object + ": " + problem;
    }
}
