using Microsoft.DurableTask;

namespace Snapshots.Local.FunctionHosting;

/// <summary>Registers the orchestrator and activity functions on a Durable Task worker under their function names.</summary>
public static class DurableFunctionRegistration
{
    public static DurableTaskRegistry AddFunctions(this DurableTaskRegistry registry, IEnumerable<FunctionDescriptor> functions)
    {
        foreach (var function in functions)
        {
            switch (function.Trigger)
            {
                case FunctionTriggerKind.Orchestration:
                    registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function));
                    break;
                case FunctionTriggerKind.Activity:
                    registry.AddActivity(function.Name, services => new FunctionActivity(function, services));
                    break;
            }
        }

        return registry;
    }
}
