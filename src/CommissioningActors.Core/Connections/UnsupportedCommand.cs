using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Core.Connections;

/// <summary>Recognises an older proxy client's answer to a command it does not know.</summary>
public static class UnsupportedCommand
{
    public static bool IsUnsupported(BleProxyError error, string commandName)
    {
        if (error.Code is not (BleErrorCodes.InternalError or "unknown_command" or "not_supported"))
        {
            return false;
        }

        var message = error.Message;
        return message.Contains("unknown command", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not supported", StringComparison.OrdinalIgnoreCase)
            || message.Contains(commandName, StringComparison.OrdinalIgnoreCase)
            || error.Code is "unknown_command" or "not_supported";
    }
}
