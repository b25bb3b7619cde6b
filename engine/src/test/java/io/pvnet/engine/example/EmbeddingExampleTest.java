package io.pvnet.engine.example;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs the example of docs/embedding.md: it must keep compiling and keep working. */
class EmbeddingExampleTest
{
    @Test
    void shouldEchoEveryDatagramBetweenTwoGuestsOnTheBridge() throws Exception
    {
        assertEquals(100, EmbeddingExample.run(100));
    }
}
