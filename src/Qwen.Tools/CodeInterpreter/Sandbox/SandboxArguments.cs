using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace Qwen.Tools;

/// <summary>Reading the arguments a helper was called with, with errors that name the helper and the argument.</summary>
internal static class SandboxArguments
{
    public static JsValue At(this JsValue[] arguments, int index) => index < arguments.Length ? arguments[index] : JsValue.Undefined;

    public static string RequireString(Engine engine, JsValue[] arguments, int index, string function, string name)
    {
        var value = arguments.At(index);
        if (!value.IsString())
        {
            throw SandboxErrors.Type(engine, $"{function}: argument '{name}' must be a string; got {Describe(value)}.");
        }

        return value.AsString();
    }

    public static ObjectInstance? OptionalObject(Engine engine, JsValue[] arguments, int index, string function, string name)
    {
        var value = arguments.At(index);
        if (value.IsUndefined() || value.IsNull())
        {
            return null;
        }

        if (!value.IsObject())
        {
            throw SandboxErrors.Type(engine, $"{function}: argument '{name}' must be an object; got {Describe(value)}.");
        }

        return value.AsObject();
    }

    /// <summary>The elements of an array (or array-like object) argument, at most <paramref name="take"/> of them.</summary>
    /// <returns>The elements read, and the array's whole length.</returns>
    public static (List<JsValue> Items, ulong Length) ReadArray(Engine engine, JsValue value, string function, string name, long maxLength, int take = int.MaxValue)
    {
        if (value is not ObjectInstance array || value.IsCallable())
        {
            throw SandboxErrors.Type(engine, $"{function}: '{name}' must be an array; got {Describe(value)}.");
        }

        var length = TypeConverter.ToLength(array.Get("length"));
        if (length > (ulong)maxLength)
        {
            throw SandboxErrors.Range(engine, $"{function}: '{name}' has {length} elements; at most {maxLength} are allowed.");
        }

        var count = (int)Math.Min(length, (ulong)take);
        var items = new List<JsValue>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(array.Get(i));
        }

        return (items, length);
    }

    /// <summary>The elements of an array (or array-like object) argument.</summary>
    public static List<JsValue> RequireArray(Engine engine, JsValue value, string function, string name, long maxLength) =>
        ReadArray(engine, value, function, name, maxLength).Items;

    public static JsValue Option(ObjectInstance? options, string name) => options is null ? JsValue.Undefined : options.Get(name);

    public static string Describe(JsValue value) => value.Type switch
    {
        Types.Undefined => "undefined",
        Types.Null => "null",
        Types.String => "a string",
        Types.Number => "a number",
        Types.Boolean => "a boolean",
        _ when value.IsArray() => "an array",
        _ when value.IsCallable() => "a function",
        _ => "an object",
    };
}
