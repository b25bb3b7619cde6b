package io.pvnet.perf.cli;

import io.pvnet.perf.vif.ChildJvm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PvnetMainClassNameTest
{
    @Test
    void shouldNameTheCommandLinesMainClassForScenariosThatStartItByName()
    {
        // the idle scenario starts `pvnet switch` and `pvnet guest` by this name (bench may not depend on cli)
        assertEquals(PvnetMain.class.getName(), ChildJvm.PVNET_MAIN_CLASS);
    }
}
