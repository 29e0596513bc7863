package io.envgrid.deviceagent.computer.hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every type Jackson reads or writes of the MCP SDK's schema (its nested records, enums and interfaces, at any depth)
 * is registered for reflection, so the native image can (de)serialise it; an SDK upgrade that adds one fails here
 * until {@link McpSchemaRegistration} lists it.
 */
class McpSchemaRegistrationTest {

    @Test
    void everySchemaTypeOfTheSdkIsRegistered() {
        Set<String> schemaTypes = new TreeSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(Set.of(McpSchema.class.getDeclaredClasses()));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isRecord() || c.isEnum() || c.isInterface()) {
                schemaTypes.add(c.getName());
            }
            todo.addAll(Set.of(c.getDeclaredClasses()));
        }
        Set<String> registered = new TreeSet<>();
        for (Class<?> c : McpSchemaRegistration.class.getAnnotation(RegisterForReflection.class).targets()) {
            registered.add(c.getName());
        }
        assertTrue(schemaTypes.contains(McpSchema.CallToolResult.class.getName())
                && schemaTypes.contains(McpSchema.JSONRPCMessage.class.getName()), "the walk finds the schema");
        assertEquals(schemaTypes, registered);
    }
}
