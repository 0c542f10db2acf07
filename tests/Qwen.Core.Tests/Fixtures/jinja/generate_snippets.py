# Regenerates snippets.json: each case's expected output as Python Jinja2 renders it with the environment
# Hugging Face transformers builds for chat templates (transformers/utils/chat_template_utils.py, _compile_jinja_template):
# ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols]),
# tojson = json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False), raise_exception, strftime_now;
# render(messages=..., tools=None, documents=None, add_generation_prompt=False, **context).
# Development tool only (needs python3 and Jinja2 3.1.x); the tests read snippets.json.  Usage: python3 generate_snippets.py
import json, os
from datetime import datetime
import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class AssistantTracker(Extension):
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render_assistant", []), [], [], body).set_lineno(lineno)

    def _render_assistant(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


C = []


def case(name, template, **context):
    C.append({"name": name, "template": template, "context": context})


# --- whitespace control, trim_blocks, lstrip_blocks, comments, raw
case("ws_trim_blocks", "{% if true %}\nA\n{% endif %}\nB")
case("ws_lstrip_blocks", "x\n    {% if true %}\n    y\n    {% endif %}\nz")
case("ws_lstrip_not_variable", "x\n    {{ 1 }}\n    {% if true %}z{% endif %}")
case("ws_minus_both", "a   {%- if true -%}   b   {%- endif -%}   c")
case("ws_minus_var", "a  \n {{- 'x' -}} \n  b")
case("ws_plus_disables_lstrip", "x\n    {%+ if true %}y{% endif %}")
case("ws_plus_disables_trim", "{% if true +%}\nA{% endif %}")
case("ws_comment_trim", "a\n  {# comment #}\nb\n{#- c -#}  \n  d")
case("ws_raw", "{% raw %}\n{{ y }} {% if %}  {% endraw %}\nz")
case("ws_raw_minus", "a {%- raw -%}  {{ x }}  {%- endraw -%} b")
case("ws_trailing_newline", "abc\n")
case("ws_crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc")
case("ws_tabs_lstrip", "x\n\t \t{% if true %}y{% endif %}")
case("ws_text_before_tag_same_line", "x  {% if true %}y{% endif %}")
case("ws_start_lstrip", "   {% if true %}y{% endif %}")
case("ws_var_then_block", "{{ 'a' }}\n   {% if true %}b{% endif %}")
case("ws_minus_var_newline_then_block", "{{- 'a' -}}\n   {% if true %}b{% endif %}")
case("ws_block_end_followed_by_spaces", "{% if true %}   \nA{% endif %}")
case("ws_set_block", "{% set x %}\n  hello\n{% endset %}[{{ x }}]")
case("ws_nested_minus", "{%- for i in [1,2] -%}\n  {{- i -}}\n{%- endfor -%}")
# --- literals and printing
case("print_values", "{{ 1 }}|{{ 1.0 }}|{{ 1.5e3 }}|{{ 1e20 }}|{{ 1e-5 }}|{{ 0.1 + 0.2 }}|{{ -0.0 }}|{{ true }}|{{ True }}|{{ none }}|{{ None }}|{{ 'a' }}|{{ \"b\" }}")
case("print_containers", "{{ [1, 'a', none, true, 2.5] }}|{{ {'k': 'v', 'n': [1]} }}|{{ (1,) }}|{{ (1, 2) }}|{{ () }}|{{ [] }}|{{ {} }}")
case("print_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'back\\\\slash', 'nl\\n', 'tab\\t', '\\x01', 'é中😀', '\\u00a0'] }}")
case("string_escapes", "{{ 'a\\nb\\tc\\\\d\\'e\\\"f\\x41\\u4e2d\\U0001F600\\q' }}")
case("string_adjacent", "{{ 'a' 'b' \"c\" }}")
case("int_literals", "{{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 000 }} {{ 0_0 }}")
case("int_literal_leading_zero_error", "{{ 007 }}")
case("float_literals", "{{ 1.5 }} {{ 2e3 }} {{ 1_0.5 }} {{ 3.0e-2 }}")
case("undefined_prints_empty", "[{{ nothing }}]")
case("undefined_attr_error", "{{ nothing.attr }}")
case("undefined_item_error", "{{ nothing['x'] }}")
case("missing_key_prints_empty", "[{{ d.missing }}][{{ d['missing'] }}][{{ l[10] }}]", d={"a": 1}, l=[1])
case("none_attr_undefined", "[{{ n.foo }}]", n=None)
case("dict_method_vs_key", "{{ d.items is defined }} {{ d['items'] }}", d={"items": "K"})
# --- operators
case("arith", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 0.5 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 + 2.0 }} {{ true + 1 }}")
case("arith_precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ 10 - 2 - 3 }} {{ 'a' ~ (1 + 2) }} {{ 1 ~ 2 ~ 3 }} {{ 1 + 2 ~ 3 }}")
case("string_ops", "{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ 3 * 'x' }} {{ [1] + [2] }} {{ [0] * 3 }} {{ 'x' ~ none ~ true ~ 1.0 ~ undefined_var }}")
case("compare", "{{ 1 < 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 1 == 1.0 }} {{ 1 != '1' }} {{ none == none }} {{ true == 1 }} {{ 'B' < 'a' }}")
case("compare_error", "{{ 1 < 'a' }}")
case("in_operator", "{{ 'a' in 'cat' }} {{ 2 in [1,2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} {{ 1 in [1.0] }} {{ 'x' in undef }}")
case("in_error", "{{ 1 in 'abc' }}")
case("logic", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ '' and 'z' }} {{ not 0 }} {{ not [] }} {{ none or [] }} {{ (none or 0) is number }}")
case("not_precedence", "{{ not 1 == 2 }} {{ not x is defined }} {{ not true and false }}", x=1)
case("ternary", "{{ 'a' if true else 'b' }} {{ 'a' if false else 'b' }} [{{ 'a' if false }}] {{ 1 if false else 2 if false else 3 }}")
case("add_str_int_error", "{{ 'a' + 1 }}")
case("add_undefined_error", "{{ undef + 'a' }}")
case("div_zero_error", "{{ 1 / 0 }}")
case("floordiv_zero_error", "{{ 1 // 0 }}")
case("unary", "{{ -3 }} {{ +3 }} {{ -(2) }} {{ - 1.5 }} {{ -x|abs }}", x=4)
# --- subscripts and slices
case("slices_list", "{{ l[1:3] }} {{ l[::-1] }} {{ l[-2:] }} {{ l[:-1] }} {{ l[::2] }} {{ l[5:1:-2] }} {{ l[-100:100] }} {{ l[3:1] }}", l=[0,1,2,3,4,5,6])
case("slices_string", "{{ s[1:3] }} {{ s[::-1] }} {{ s[-1] }} {{ s[0] }} {{ s[10] is defined }}", s="héllo😀x")
case("index_neg", "{{ l[-1] }} {{ l[-3] }} [{{ l[-4] }}]", l=[1,2,3])
case("dotted_int_index", "{{ l.0 }} {{ l.1.0 }}", l=[10, [20]])
case("bool_index", "{{ l[true] }}", l=["a", "b"])
case("tuple_index", "{{ (1,2,3)[1:] }}")
case("slice_step_zero_error", "{{ [1][::0] }}")
# --- tests
case("tests_types", "{{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }} {{ 'a' is sequence }} {{ {} is sequence }} {{ 1 is sequence }} {{ 'a' is iterable }} {{ none is none }} {{ true is boolean }} {{ 1 is boolean }}")
case("tests_defined", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ x is not none }} {{ d.k is defined }} {{ d.z is defined }}", x=None, d={"k": 1})
case("tests_truefalse", "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}")
case("tests_numbers", "{{ 4 is even }} {{ 3 is odd }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 2.0 is even }}")
case("tests_compare", "{{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 2 is gt 1 }} {{ 2 is lt 1 }} {{ 2 is ge 2 }} {{ 1 is le 0 }} {{ 1 is ne 1 }} {{ 'a' is in 'abc' }} {{ 3 is in [1,2] }}")
case("tests_misc", "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aB' is lower }} {{ range is callable }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'zz' is filter }} {{ none is sameas none }} {{ 1 is sameas 1 }}")
case("test_undefined_sequence", "{{ u is sequence }} {{ u is iterable }} {{ u is mapping }}")
case("test_unknown_error", "{{ 1 is frobnicated }}")
# --- for loops
case("for_loop_vars", "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}|{% endfor %}")
case("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}{% for x in [1] %}{{ x }}{% else %}no{% endfor %}")
case("for_filter", "{% for x in range(10) if x is odd %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}")
case("for_unpack", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for a, b in [[1,2],[3,4]] %}{{ a+b }}{% endfor %}{% for (a, b) in [(5, 6)] %}{{ a*b }}{% endfor %}", d={"x": 1, "y": [2]})
case("for_dict_keys", "{% for k in d %}{{ k }}{% endfor %}", d={"b": 1, "a": 2})
case("for_string", "{% for c in 'héy' %}[{{ c }}]{% endfor %}")
case("for_undefined", "{% for x in nothing %}x{% else %}none{% endfor %}")
case("for_none_error", "{% for x in n %}x{% endfor %}", n=None)
case("for_scope", "{% set x = 0 %}{% for i in [1,2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}")
case("for_nested_loop", "{% for i in [1,2] %}{% for j in 'ab' %}{{ loop.index }}{{ j }}{% endfor %}{{ loop.index }};{% endfor %}")
case("for_break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}")
case("for_cycle_changed", "{% for i in [1,1,2,3,3] %}{{ loop.cycle('a','b') }}{% if loop.changed(i) %}!{% endif %}{% endfor %}")
case("for_recursive", "{% for n in tree recursive %}<{{ n.name }}{% if n.children %}{{ loop(n.children) }}{% endif %}:{{ loop.depth }}>{% endfor %}", tree=[{"name": "a", "children": [{"name": "b", "children": []}, {"name": "c"}]}])
case("for_loop_outside_prev", "{% for x in [1,2] %}{% endfor %}[{{ x }}][{{ loop }}]")
case("for_reverse_messages", "{% for m in messages[::-1] %}{{ (messages|length - 1) - loop.index0 }}{{ m.role }} {% endfor %}", messages=[{"role": "a"}, {"role": "b"}, {"role": "c"}])
case("range_forms", "{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(10, 0, -3)|list }} {{ range(0)|list }}")
case("range_too_big_error", "{{ range(1000000)|length }}")
# --- set, namespace, with, macros, call, filter blocks
case("set_basic", "{% set a = 1 %}{% set b, c = 2, 3 %}{% set t = 1, 2 %}{{ a }}{{ b }}{{ c }}{{ t }}")
case("set_in_if_leaks", "{% if true %}{% set x = 5 %}{% endif %}{{ x }}")
case("namespace", "{% set ns = namespace(found=false, n=0) %}{% for i in [1,2,3] %}{% set ns.n = ns.n + i %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }} [{{ ns.missing }}]")
case("namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}")
case("namespace_assign_error", "{% set d = {} %}{% set d.x = 1 %}")
case("set_block_filter", "{% set x | upper %}hello {{ 'w' }}{% endset %}{{ x }}")
case("with_block", "{% set a = 1 %}{% with a = 2, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}")
case("macro_basic", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }} {{ greet(punct='.', name='Z') }}")
case("macro_varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}")
case("macro_missing_arg", "{% macro m(a, b) %}[{{ a }}][{{ b }}]{% endmacro %}{{ m(1) }}")
case("macro_recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * (fact(n - 1)|int) }}{% endif %}{% endmacro %}{{ fact(5) }}")
case("macro_closure", "{% set g = 'G' %}{% macro m() %}{{ g }}{% endmacro %}{% set g = 'H' %}{{ m() }}")
case("call_block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ 1 + 1 }}{% endcall %}")
case("call_block_args", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1,2]) %}[{{ x }}]{% endcall %}")
case("filter_block", "{% filter upper %}abc {{ 'd' }}{% endfilter %}{% filter replace('a', 'o') | title %}banana split{% endfilter %}")
case("print_stmt", "{% print 'a', 1 %}")
case("generation_tag", "{% generation %}gen {{ 1 }}{% endgeneration %}!")
# --- filters
case("f_string_case", "{{ 'hello WORLD'|upper }} {{ 'HeLLo'|lower }} {{ 'hello world-foo(bar'|title }} {{ 'hELLO wORLD'|capitalize }} {{ \"they're bill's\"|title }} {{ 5|upper }}")
case("f_trim", "[{{ '  a b \\n'|trim }}][{{ 'xxaxx'|trim('x') }}][{{ none|trim }}]")
case("f_length", "{{ 'héllo😀'|length }} {{ [1,2]|count }} {{ {'a':1}|length }} {{ undef|length }}")
case("f_first_last", "{{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ 'abc'|first }} {{ 'abc'|last }} [{{ []|first }}] {{ {'a':1,'b':2}|first }}")
case("f_join", "{{ [1,2,3]|join(', ') }} {{ ['a','b']|join }} {{ users|join('/', attribute='name') }} [{{ undef|join(',') }}]", users=[{"name": "x"}, {"name": "y"}])
case("f_replace", "{{ 'aaa'|replace('a', 'b') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 'abc'|replace('', '-') }} {{ 123|replace('2', 'x') }}")
case("f_default", "{{ undef|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} {{ 0|d('z', boolean=true) }} {{ 'v'|default('d') }} [{{ undef|default }}]")
case("f_string_int_float", "{{ 1|string }}{{ [1]|string }} {{ '42'|int }} {{ '42.9'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ '0x1A'|int(0, 16) }} {{ 'ff'|int(base=16) }} {{ 3.9|int }} {{ true|int }} {{ '3.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ ' 7 '|int }} {{ '1_000'|int }} {{ '1e3'|float }} {{ none|int }}")
case("f_list", "{{ 'abc'|list }} {{ {'a':1}|list }} {{ (1,2)|list }}")
case("f_items", "{{ {'a':1,'b':2}|items|list }} {% for k, v in {'x': [1]}|items %}{{ k }}{{ v }}{% endfor %} {{ undef|items|list }}")
case("f_dictsort", "{{ {'b':1,'A':2,'c':0}|dictsort }} {{ {'b':1,'A':2,'c':0}|dictsort(true) }} {{ {'b':1,'a':2,'c':0}|dictsort(by='value') }} {{ {'b':1,'a':2}|dictsort(reverse=true) }}")
case("f_sort", "{{ [3,1,2]|sort }} {{ [3,1,2]|sort(reverse=true) }} {{ ['b','A','c']|sort }} {{ ['b','A','c']|sort(case_sensitive=true) }} {{ users|sort(attribute='age')|map(attribute='n')|list }} {{ users|sort(attribute='age,n')|map(attribute='n')|join }}", users=[{"n": "x", "age": 3}, {"n": "y", "age": 1}, {"n": "a", "age": 3}])
case("f_unique_reverse", "{{ [1,2,1,3,2]|unique|list }} {{ ['a','A','b']|unique|list }} {{ ['a','A','b']|unique(case_sensitive=true)|list }} {{ [1,2,3]|reverse|list }} {{ 'abc'|reverse }}")
case("f_map_select", "{{ users|map(attribute='name')|list }} {{ users|map(attribute='nick', default='?')|list }} {{ ['a','b']|map('upper')|list }} {{ [1,2,3,4]|select('odd')|list }} {{ [1,2,3,4]|reject('odd')|list }} {{ [0,1,'',none,'x']|select|list }} {{ users|selectattr('admin')|map(attribute='name')|list }} {{ users|rejectattr('admin')|map(attribute='name')|list }} {{ users|selectattr('name', 'equalto', 'b')|list|length }} {{ users|selectattr('name', 'in', ['a','c'])|map(attribute='name')|join }}", users=[{"name": "a", "admin": True}, {"name": "b", "admin": False}, {"name": "c"}])
case("f_map_replace_args", "{{ ['aa','ba']|map('replace', 'a', 'x')|list }}")
case("f_min_max_sum", "{{ [3,1,2]|min }} {{ [3,1,2]|max }} {{ ['b','A']|min }} {{ [1,2,3]|sum }} {{ users|sum(attribute='v') }} {{ [1.5, 2]|sum(start=10) }} [{{ []|max }}]", users=[{"v": 2}, {"v": 5}])
case("f_abs_round", "{{ -3|abs }} {{ -2.5|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 2.4|round(0, 'ceil') }} {{ 2.6|round(0, 'floor') }} {{ 7|round }} {{ 1234|round(-2) }} {{ 0.125|round(2) }} {{ -0.5|round }}")
case("f_indent", "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent('>', blank=true) }}|{{ 'x\\n'|indent(first=true) }}")
case("f_escape_safe", "{{ '<a href=\"x\">&\\'</a>'|escape }} {{ '<b>'|e }} {{ '<i>'|safe }}")
case("f_center_truncate_wordcount", "[{{ 'ab'|center(7) }}][{{ 'abc'|center(8) }}] {{ 'hello big world foo bar baz'|truncate(12) }} {{ 'hello big world'|truncate(9, true) }} {{ 'x'|truncate(3) }} {{ 'one two, three_four'|wordcount }}")
case("f_batch", "{{ [1,2,3,4,5]|batch(2)|list }} {{ [1,2,3]|batch(2, 'x')|list }}")
case("f_attr", "{{ d|attr('k') }} [{{ d|attr('zz') }}] {{ (d|attr('items'))()|list }}", d={"k": 1})
case("f_tojson", "{{ d|tojson }}", d={"s": "é\"\\\n\t\u0001/<>&'", "i": 1, "f": 1.5, "f2": 2.0, "big": 1e20, "small": 1e-7, "b": True, "n": None, "l": [1, [2, {}], []], "u": "中文😀"})
case("f_tojson_indent", "{{ d|tojson(indent=2) }}|{{ d|tojson(indent='\\t') }}|{{ d|tojson(indent=0) }}|{{ [] |tojson(indent=2) }}", d={"a": [1, 2], "b": {"c": None}, "e": {}})
case("f_tojson_options", "{{ d|tojson(sort_keys=true) }}|{{ d|tojson(separators=(',', ':')) }}|{{ d|tojson(ensure_ascii=true) }}|{{ 'x'|tojson }}|{{ 3|tojson }}|{{ none|tojson }}|{{ (1, 'a')|tojson }}|{{ {1: 'a', true: 'b'}|tojson }}", d={"b": "é😀", "a": 1})
case("f_tojson_undefined_error", "{{ undef|tojson }}")
case("f_unknown_error", "{{ 1|frobnicate }}")
case("f_chain_args", "{{ 'a,b,,c'|replace(',,', ',')|upper }}")
# --- methods
case("m_string", "{{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('x', 'lo')) }} {{ '  x  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\nA\\n'.lstrip('\\n') }}|{{ 'A\\n\\n'.rstrip('\\n') }}|{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'a b  c '.rsplit(None, 1) }}")
case("m_string2", "{{ 'abc'.upper() }} {{ 'ABC'.lower() }} {{ 'hello world'.title() }} {{ 'hello'.capitalize() }} {{ 'aXa'.replace('a', 'b') }} {{ 'abcabc'.find('c') }} {{ 'abc'.find('z') }} {{ 'abcabc'.rfind('c') }} {{ 'aaa'.count('a') }} {{ '-'.join(['a','b']) }} {{ 'x\\ny\\r\\nz'.splitlines() }} {{ '42'.isdigit() }} {{ 'ab'.isalpha() }} {{ 'ab'.zfill(5) }} {{ 'ab'.center(6, '*') }} {{ 'abc'.removeprefix('a') }} {{ 'abc'.removesuffix('c') }} {{ 'a=b=c'.partition('=') }} {{ 'a=b=c'.rpartition('=') }} {{ 'x'.ljust(3, '.') }}|{{ 'x'.rjust(3) }}")
case("m_string_format", "{{ 'Hi {}, {}!'.format('a', 1) }} {{ '{0}{0}{name}'.format('x', name='y') }}")
case("m_qwen3_think", "{% set c = m.split('</think>')[-1].lstrip('\\n') %}{% set r = m.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}[{{ r }}][{{ c }}]", m="<think>\nreasoning\n</think>\n\nanswer")
case("m_dict", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.copy() }}", d={"a": 1, "b": [2]})
case("m_list", "{{ [1,2,3].index(2) }} {{ [1,1,2].count(1) }}")
case("m_list_append_error", "{% set l = [] %}{{ l.append(1) }}")
case("m_unknown_string_method_error", "{{ 'a'.frob() }}")
case("m_startswith_undefined_error", "{{ m.content.startswith('x') }}", m={})
# --- globals
case("g_raise_exception", "{{ raise_exception('Custom failure: ' ~ 42) }}")
case("g_dict", "{{ dict(a=1, b='x') }} {{ dict([('k', 1)]) }}")
case("g_undefined_call_error", "{{ nope() }}")
# --- misc syntax
case("syntax_dict_in_braces", "{{ {'a': {'b': 1}} }}")
case("syntax_nested_parens", "{{ ((((1 + 2)))) * (3) }}")
case("syntax_trailing_commas", "{{ [1, 2,] }} {{ {'a': 1,} }} {{ dict(a=1,) }}")
case("syntax_is_not", "{{ 1 is not none }} {{ none is not none }} {{ x is not defined }}")
case("syntax_filter_on_literal_then_call", "{{ ['a'] | join | upper }}")
case("syntax_kw_keywords", "{% set x = 'in' %}{{ x }}")
case("syntax_error_unclosed_tag", "{% if true %}abc")
case("syntax_error_bad_expr", "{{ 1 + }}")
case("syntax_error_unknown_tag", "{% frobnicate %}")
case("syntax_error_endif_alone", "{% endif %}")
case("syntax_error_unclosed_var", "{{ 1 ")
case("syntax_error_unclosed_comment", "{# abc")
case("syntax_error_unclosed_string", "{{ 'abc }}")
case("syntax_error_break_outside", "{% break %}")
case("syntax_unsupported_include", "{% include 'x.html' %}")
case("syntax_unsupported_extends", "{% extends 'x.html' %}")
case("syntax_error_bracket_mismatch", "{{ (1] }}")
# --- printf-style formatting
case("percent_format", "{{ '%s and %s' % ('a', 1) }}|{{ '%d%%' % 42 }}|{{ '%05.2f' % 3.14159 }}|{{ '%-5s|' % 'ab' }}|{{ '%+d %+d' % (5, -5) }}|{{ '%x %X %o %#x' % (255, 255, 8, 255) }}|{{ '%.3s' % 'abcdef' }}|{{ '%(name)s is %(age)d' % {'name': 'Al', 'age': 3} }}|{{ '%r' % 'q' }}|{{ '%e' % 12345.678 }}|{{ '%g %g %g' % (0.0001, 1234567.0, 2.5) }}|{{ '%c' % 65 }}|{{ '%5.1f|%-8.3e|' % (2.25, 0.000123) }}|{{ '%.2f' % 0.125 }}|{{ '%s' % [1, 2] }}|{{ '%s' % none }}")
case("format_filter", "{{ '%s - %s'|format('a', 'b') }}|{{ '%(x)s!'|format(x='hi') }}|{{ 'n=%03d'|format(7) }}")
case("percent_format_too_many_error", "{{ '%s' % (1, 2) }}")
case("percent_format_too_few_error", "{{ '%s %s' % (1,) }}")
# --- constructs real chat templates use
case("hermes_items_quirk", "{% set spec = {'type': 'array', 'items': {'type': 'string'}} %}{{ spec.items is defined }} {{ spec['items']['type'] }} {{ spec.type in {'array': 1} }}")
case("coder_render_extra_keys", "{% macro render_extra_keys(json_dict, handled_keys) %}{% if json_dict is mapping %}{% for json_key in json_dict if json_key not in handled_keys %}{% if json_dict[json_key] is mapping or (json_dict[json_key] is sequence and json_dict[json_key] is not string) %}{{ '\\n<' ~ json_key ~ '>' ~ (json_dict[json_key] | tojson | safe) ~ '</' ~ json_key ~ '>' }}{% else %}{{ '\\n<' ~ json_key ~ '>' ~ (json_dict[json_key] | string) ~ '</' ~ json_key ~ '>' }}{% endif %}{% endfor %}{% endif %}{% endmacro %}{{ render_extra_keys(p, ['type', 'description']) }}", p={"type": "string", "description": "d", "enum": ["a", "b"], "minimum": 1, "nullable": True, "format": None})
case("coder_args_value", "{% for k, v in args|items %}{% set v = v | tojson | safe if v is mapping or (v is sequence and v is not string) else v | string %}<{{ k }}>{{ v }}</{{ k }}>{% endfor %}", args={"a": "x", "b": [1, "2"], "c": {"d": 1.5}, "e": 3, "f": True, "g": None})
case("vl_image_count", "{% set image_count = namespace(value=0) %}{% for content in m.content %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}Picture {{ image_count.value }}: <|vision_start|><|image_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}", m={"content": [{"type": "image", "image": "a.png"}, {"type": "text", "text": "Describe."}, {"image_url": "b"}]})
case("llama_builtin_tools", "{{ builtin_tools | reject('equalto', 'code_interpreter') | join(', ') }}|{{ messages[0]['content'] | trim }}|{% for t in tools_list %}{{ t.function.parameters | tojson(indent=4) }}{% endfor %}", builtin_tools=["brave_search", "code_interpreter", "wolfram_alpha"], messages=[{"role": "system", "content": "  sys  "}], tools_list=[{"function": {"parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}])
case("alternating_roles_check", "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{{ message['role'][0] }}{% endfor %}", messages=[{"role": "user"}, {"role": "assistant"}, {"role": "user"}])
case("alternating_roles_error", "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% endfor %}", messages=[{"role": "user"}, {"role": "user"}])
case("ns_list_accumulate", "{% set ns = namespace(ids=[]) %}{% for m in messages %}{% if m.id is defined %}{% set ns.ids = ns.ids + [m.id] %}{% endif %}{% endfor %}{{ ns.ids }} {{ 'b' in ns.ids }}", messages=[{"id": "a"}, {}, {"id": "b"}])
case("selectattr_count_system", "{{ messages|selectattr('role', 'equalto', 'system')|list|length }} {{ (messages|map(attribute='role')|list)[-1] }} {{ messages|rejectattr('role', 'in', ['system'])|map(attribute='role')|join(',') }}", messages=[{"role": "system"}, {"role": "user"}, {"role": "assistant"}])
case("deepseek_ns_concat", "{% set ns = namespace(system_prompt='', is_first_sp=true) %}{% for message in messages %}{% if message['role'] == 'system' %}{% if ns.is_first_sp %}{% set ns.system_prompt = ns.system_prompt + message['content'] %}{% set ns.is_first_sp = false %}{% else %}{% set ns.system_prompt = ns.system_prompt + '\\n\\n' + message['content'] %}{% endif %}{% endif %}{% endfor %}[{{ ns.system_prompt }}]", messages=[{"role": "system", "content": "A"}, {"role": "user", "content": "u"}, {"role": "system", "content": "B"}])
case("content_list_or_string", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for part in m.content %}{% if part.type == 'text' %}{{ part.text }}{% endif %}{% endfor %}{% endif %};{% endfor %}", messages=[{"content": "plain"}, {"content": [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}]}])
case("dict_literal_int_keys_dictsort", "{% set m = {16: 'x', 0: 'a', 512: 'b'} %}{% for k, v in m|dictsort %}{{ k }}={{ v }};{% endfor %}{{ m[512] }}")
case("tuple_in_test", "{{ 'number' in ('number', 'integer') }} {{ 'x' in ('a',) }}")
case("multiline_tag", "{%- if a\n      and b\n      and c %}yes{% endif %}", a=1, b=2, c=3)
case("loop_last_with_filter_and_else", "{% for m in messages if m.role != 'system' %}{{ m.role }}{{ '' if loop.last else ',' }}{% else %}none{% endfor %}", messages=[{"role": "system"}, {"role": "user"}, {"role": "assistant"}])
case("string_multiplication_separator", "{{ '=' * 10 }}|{{ '-' * 0 }}|{{ 'ab' * -1 }}")
case("nested_macro_call_with_caller_args", "{% macro list(items) %}<ul>{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}</ul>{% endmacro %}{% call(item, n) list(['x', 'y']) %}<li>{{ n }}{{ item }}</li>{% endcall %}")
case("unicode_escape_and_surrogates", "{{ '\\u00e9\\U0001F600'|length }} {{ '😀x'[1] }} {{ 'a😀b'|reverse }} {{ '😀'|tojson }} {{ '😀'|tojson(ensure_ascii=true) }}")
case("tojson_float_forms", "{{ [0.1, 1e-5, 1e-4, 1e16, 1e15, 123456789.123, -0.0, 1.0, 100.0, 3.0e-10, 5e+300]|tojson }}")
case("none_tests_and_filters", "{{ none|string }}|{{ none|default('x') }}|{{ none is none }}|{{ none|tojson }}|{{ [none]|join(',') }}")
case("compare_none_error", "{{ none < 1 }}")
case("iterate_int_error", "{% for x in 5 %}{% endfor %}")
case("call_non_callable_error", "{{ 'abc'() }}")
case("unpack_wrong_count_error", "{% for a, b in [[1, 2, 3]] %}{% endfor %}")
case("unknown_method_on_dict_error", "{{ {'a': 1}.nothing() }}")
case("slice_of_int_error", "{{ n[1:] }}", n=5)
case("slice_of_dict_error", "{{ d[1:] }}", d={"a": 1})
case("slice_of_none_error", "{{ n[:1] }}", n=None)
case("unknown_filter_and_test_in_untaken_branch", "{% if false %}{{ x | nosuchfilter }}{{ x is nosuchtest }}{% endif %}ok")
# --- results that are Python generators: lazy, always truthy, used up by one loop
case("generator_single_use", "{% set g = [1, 2, 3]|select('odd') %}{{ g|list }}{{ g|list }}|{% set r = [1, 2]|reverse %}{% for x in r %}{{ x }}{% endfor %}{% for x in r %}{{ x }}{% endfor %}")
case("generator_truthy_when_empty", "{{ 'yes' if [] | select else 'no' }} {{ 'yes' if [] | map('upper') else 'no' }} {{ ([] | select) is iterable }} {{ ([1] | select) is sequence }} {{ 1 in [1, 2] | select }}")
case("generator_has_no_length_error", "{{ [1] | map('string') | length }}")
case("generator_is_not_reversible_error", "{{ [1] | select | last }}")
case("lazy_items_of_non_mapping_unused", "{% set x = 5 | items %}ok")
case("percent_format_list_argument", "{{ 'str' % [] }}|{{ 'x %s' % [1] }}")
case("truncate_non_strings", "[{{ [1] | truncate(3) }}][{{ u | truncate(3) }}]")
case("truncate_number_error", "{{ 5 | truncate(3) }}")
case("undefined_is_callable", "{{ u is callable }} {{ range is callable }} {{ 'a' is callable }}")
case("indent_number_error", "{{ 5 | indent(2) }}")

for c in C:
    ctx = dict(c["context"])
    kw = {"messages": ctx.pop("messages", []), "tools": None, "documents": None, "add_generation_prompt": False, **ctx}
    try:
        c["expected"] = {"text": environment().from_string(c["template"]).render(**kw)}
    except Exception as e:
        c["expected"] = {"error": f"{type(e).__name__}: {e}"}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "snippets.json"), "w", encoding="utf-8") as f:
    json.dump(C, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(C), "cases")
