namespace Qwen.Tools;

/// <summary>A point of a glyph outline in font units (y up); off-curve points are the control points of quadratic curves.</summary>
internal readonly record struct GlyphPoint(double X, double Y, bool OnCurve);
