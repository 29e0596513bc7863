package io.envgrid.vmcontroller.evaluation;

import java.util.ArrayList;
import java.util.List;
import org.jaxen.Context;
import org.jaxen.Function;
import org.jaxen.FunctionCallException;
import org.jaxen.Navigator;
import org.jaxen.XPathFunctionContext;
import org.jaxen.function.ConcatFunction;
import org.jaxen.function.ContainsFunction;
import org.jaxen.function.NormalizeSpaceFunction;
import org.jaxen.function.StartsWithFunction;
import org.jaxen.function.StringFunction;
import org.jaxen.function.StringLengthFunction;
import org.jaxen.function.SubstringAfterFunction;
import org.jaxen.function.SubstringBeforeFunction;
import org.jaxen.function.SubstringFunction;
import org.jaxen.function.TranslateFunction;

/**
 * XPath 1.0's core functions, none of Jaxen's extensions, with the string functions charged to the evaluation's
 * {@link EvaluationBudget} (through its {@link StepCountingNavigator}) before they run. Moving through the tree is counted by the navigator, but a string
 * function's work grows with the strings it is handed, not with the steps that found them: {@code contains(a, b)}
 * is Java's {@code indexOf}, up to |a|·|b| character comparisons, so {@code //a[contains(/r/@b, substring(/r/@b,
 * 200001))]} over a 400 kB attribute ran 98 s in about sixty steps. Stateless (the budget is the context's
 * navigator), so one instance serves every evaluation.
 */
final class ChargedFunctions extends XPathFunctionContext {

    ChargedFunctions() {
        super(false); // XPath 1.0's functions only: Jaxen's extensions include XSLT's document(), which reads a URL
        charge("string", new StringFunction(), false);
        charge("concat", new ConcatFunction(), false);
        charge("starts-with", new StartsWithFunction(), false);
        charge("contains", new ContainsFunction(), true);
        charge("substring-before", new SubstringBeforeFunction(), true);
        charge("substring-after", new SubstringAfterFunction(), true);
        charge("substring", new SubstringFunction(), false);
        charge("string-length", new StringLengthFunction(), false);
        charge("normalize-space", new NormalizeSpaceFunction(), false);
        charge("translate", new TranslateFunction(), false);
    }

    private void charge(String name, Function function, boolean searches) {
        registerFunction(null, name, new Charged(function, searches));
    }

    /**
     * A string function that first turns its arguments into strings (what it would do itself: XPath converts any
     * argument with {@code string()}; a node set's reads are charged by the navigator), charges their characters, and
     * for a search ({@code contains}, {@code substring-before/-after}) the worst case of {@code indexOf}, then runs on
     * those strings. Past the budget the navigator throws before the work is done.
     */
    private record Charged(Function function, boolean searches) implements Function {

        @Override
        public Object call(Context context, List args) throws FunctionCallException {
            Navigator navigator = context.getNavigator();
            if (!(navigator instanceof StepCountingNavigator budget)) {
                return function.call(context, args); // never on the scoring path; compile-time checks call nothing
            }
            List<Object> strings = new ArrayList<>(args.size());
            long chars = 0;
            for (Object arg : args) {
                // Numbers keep their type (substring's positions); anything else is read as its string value once
                Object value = arg instanceof Number ? arg : StringFunction.evaluate(arg, navigator);
                if (value instanceof String s) {
                    chars += s.length();
                }
                strings.add(value);
            }
            budget.chargeChars(chars);
            if (searches && strings.size() == 2 && strings.get(0) instanceof String in
                    && strings.get(1) instanceof String sought && sought.length() <= in.length()) {
                // indexOf compares up to |sought| characters at each of the |in| - |sought| + 1 starting positions
                budget.chargeChars(saturatedProduct(in.length() - sought.length() + 1L, sought.length()));
            }
            return function.call(context, strings);
        }
    }

    /** a·b for non-negative a and b, or Long.MAX_VALUE when it does not fit: past any budget either way. */
    static long saturatedProduct(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }
}
