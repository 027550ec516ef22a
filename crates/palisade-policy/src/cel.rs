//! CEL as Kubernetes runs it: cel 0.13 (through kube-cel, which adds the Kubernetes libraries)
//! plus what that interpreter lacks, done here by rewriting the parsed expression:
//!
//! - `dyn(x)` is the identity at run time (there is no type checker to relax);
//! - `cel.bind(v, init, body)` becomes the empty-range comprehension cel-go expands it to;
//! - every comprehension step and every bound value is charged to a cost budget, so an
//!   expensive expression stops with an error instead of hanging;
//! - message constructions (`T{...}`) are refused at compile time, since the interpreter
//!   would panic on them and Kubernetes CEL has no protobuf types anyway.

use crate::literals;
use cel::common::ast::{ComprehensionExpr, EntryExpr, Expr, IdedExpr, ListExpr, LiteralValue};
use cel::common::traits::{Container, Indexer};
use cel::common::types::CelMap;
use cel::common::value::Val;
use cel::extractors::Arguments;
use cel::objects::{Key, Map, OptionalValue};
use cel::{Context, ExecutionError, FunctionContext, Value};
use kube_cel::KubeCelExt;
use kube_cel::cel;
use palisade_model::{Node, Value as NV};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The API server stops one expression at 1,000,000 cost units (`PerCallLimit`); our units are
/// comprehension steps and bound-value sizes, a close enough measure of the same work.
pub const PER_CALL_LIMIT: u64 = 1_000_000;
/// The API server's budget for all expressions of one policy evaluation (`RuntimeCELCostBudget`).
pub const PER_EVALUATION_LIMIT: u64 = 10_000_000;

/// A problem with an expression: where in it (1-based line and column, when known) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct CelError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for CelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.line, self.col, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl CelError {
    fn msg(message: impl Into<String>) -> Self {
        CelError {
            line: 0,
            col: 0,
            message: message.into(),
        }
    }
}

/// A compiled expression; plain data, so `Send + Sync` and shared by all threads.
#[derive(Clone, Debug)]
pub struct Program {
    expr: IdedExpr,
    pub source: String,
}

impl Program {
    /// Whether the expression reads the variable `name` (`variables.x` is `@v.x`).
    pub fn uses(&self, name: &str) -> bool {
        fn go(e: &IdedExpr, name: &str) -> bool {
            match &e.expr {
                Expr::Ident(n) => n == name,
                Expr::Call(c) => {
                    c.target.as_deref().is_some_and(|t| go(t, name))
                        || c.args.iter().any(|a| go(a, name))
                }
                Expr::Select(s) => go(&s.operand, name),
                Expr::List(l) => l.elements.iter().any(|a| go(a, name)),
                Expr::Map(m) => m.entries.iter().any(|en| match &en.expr {
                    EntryExpr::MapEntry(me) => go(&me.key, name) || go(&me.value, name),
                    EntryExpr::StructField(sf) => go(&sf.value, name),
                }),
                Expr::Comprehension(c) => [
                    &c.iter_range,
                    &c.accu_init,
                    &c.loop_cond,
                    &c.loop_step,
                    &c.result,
                ]
                .iter()
                .any(|x| go(x, name)),
                _ => false,
            }
        }
        go(&self.expr, name)
    }
}

/// Parses and rewrites an expression.
pub fn compile(source: &str) -> Result<Program, CelError> {
    // cel 0.13's lexer mis-reads several string and bytes forms (`\?`, `\X`, triple-quoted
    // bytes...); literals are decoded here and handed to the parser as placeholders.
    let (text, literals) = literals::extract(source)?;
    let parsed = cel::parser::Parser::new()
        .enable_optional_syntax(true)
        .parse(&text)
        .map_err(|errs| match errs.errors.first() {
            Some(e) => CelError {
                line: e.pos.0.max(0) as u32,
                col: (e.pos.1.max(0) as u32) + 1,
                message: e.msg.clone(),
            },
            None => CelError::msg("expression does not parse"),
        })?;
    let parsed = literals::substitute(parsed, &literals);
    let expr = rewrite(parsed)?;
    Ok(Program {
        expr,
        source: source.to_string(),
    })
}

fn call(name: &str, args: Vec<IdedExpr>, id: u64) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Call(cel::common::ast::CallExpr {
            func_name: name.to_string(),
            target: None,
            args,
        }),
    }
}

/// `cel.bind(var, init, body)` as cel-go expands it: an empty-range comprehension whose
/// accumulator is the bound value. The value is charged to the cost budget.
fn bind_expr(var: String, init: IdedExpr, body: IdedExpr, id: u64) -> Result<IdedExpr, CelError> {
    let lit_false = IdedExpr {
        id,
        expr: Expr::Literal(LiteralValue::Boolean(false.into())),
    };
    Ok(IdedExpr {
        id,
        expr: Expr::Comprehension(Box::new(ComprehensionExpr {
            iter_range: IdedExpr {
                id,
                expr: Expr::List(ListExpr::new(vec![])),
            },
            iter_var: "#unused".into(),
            iter_var2: None,
            accu_var: var.clone(),
            accu_init: call("@charge", vec![init], id),
            loop_cond: lit_false,
            loop_step: IdedExpr {
                id,
                expr: Expr::Ident(var),
            },
            result: body,
        })),
    })
}

/// Replaces `cel.index(i)` by the identifier `@index{i}`.
fn block_indexes(e: IdedExpr) -> IdedExpr {
    fn go(e: IdedExpr) -> IdedExpr {
        let id = e.id;
        let expr = match e.expr {
            Expr::Call(mut c) => {
                let is_index = c.func_name == "index"
                    && c.args.len() == 1
                    && matches!(c.target.as_deref(), Some(IdedExpr { expr: Expr::Ident(t), .. }) if t == "cel");
                if is_index && let Expr::Literal(LiteralValue::Int(i)) = &c.args[0].expr {
                    Expr::Ident(format!("@index{}", i.inner()))
                } else {
                    c.target = c.target.map(|t| Box::new(go(*t)));
                    c.args = c.args.into_iter().map(go).collect();
                    Expr::Call(c)
                }
            }
            Expr::Select(mut s) => {
                s.operand = Box::new(go(*s.operand));
                Expr::Select(s)
            }
            Expr::List(mut l) => {
                l.elements = l.elements.into_iter().map(go).collect();
                Expr::List(l)
            }
            Expr::Map(mut m) => {
                for entry in &mut m.entries {
                    if let EntryExpr::MapEntry(me) = &mut entry.expr {
                        me.key = go(std::mem::take(&mut me.key));
                        me.value = go(std::mem::take(&mut me.value));
                    }
                }
                Expr::Map(m)
            }
            Expr::Comprehension(c) => {
                let mut c = *c;
                c.iter_range = go(c.iter_range);
                c.accu_init = go(c.accu_init);
                c.loop_cond = go(c.loop_cond);
                c.loop_step = go(c.loop_step);
                c.result = go(c.result);
                Expr::Comprehension(Box::new(c))
            }
            other => other,
        };
        IdedExpr { id, expr }
    }
    go(e)
}

fn rewrite(e: IdedExpr) -> Result<IdedExpr, CelError> {
    let id = e.id;
    let expr = match e.expr {
        Expr::Unspecified => return Err(CelError::msg("incomplete expression")),
        Expr::Struct(s) => {
            return Err(CelError::msg(format!(
                "message construction `{}{{...}}` is not supported: Kubernetes CEL has no protobuf message types",
                s.type_name
            )));
        }
        Expr::Call(mut c) => {
            // dyn(x): only a type-checker hint.
            if c.func_name == "dyn" && c.target.is_none() && c.args.len() == 1 {
                let arg = c.args.remove(0);
                return rewrite(arg);
            }
            let is_bind = c.func_name == "bind"
                && c.args.len() == 3
                && matches!(c.target.as_deref(), Some(IdedExpr { expr: Expr::Ident(t), .. }) if t == "cel");
            if is_bind {
                let body = c.args.pop();
                let init = c.args.pop();
                let var = c.args.pop();
                let (
                    Some(body),
                    Some(init),
                    Some(IdedExpr {
                        expr: Expr::Ident(var),
                        ..
                    }),
                ) = (body, init, var)
                else {
                    return Err(CelError::msg(
                        "cel.bind(name, value, expression): the first argument must be a simple identifier",
                    ));
                };
                return bind_expr(var, rewrite(init)?, rewrite(body)?, id);
            }
            // cel.block([e0, e1, ...], body) with cel.index(i): nested bindings.
            let is_block = c.func_name == "block"
                && c.args.len() == 2
                && matches!(c.target.as_deref(), Some(IdedExpr { expr: Expr::Ident(t), .. }) if t == "cel");
            if is_block {
                let body = c.args.pop().unwrap_or_default();
                let Some(IdedExpr {
                    expr: Expr::List(list),
                    ..
                }) = c.args.pop()
                else {
                    return Err(CelError::msg(
                        "cel.block: the first argument must be a list literal",
                    ));
                };
                let mut out = rewrite(block_indexes(body))?;
                for (i, e) in list.elements.into_iter().enumerate().rev() {
                    out = bind_expr(format!("@index{i}"), rewrite(block_indexes(e))?, out, id)?;
                }
                return Ok(out);
            }
            // cel 0.13 nests optionals in `a.?b.?c` chains; ours flatten them as cel-go does.
            if matches!(c.func_name.as_str(), "optMap" | "optFlatMap")
                && c.args.len() == 2
                && matches!(c.args[0].expr, Expr::Ident(_))
                && let Some(target) = c.target.take()
            {
                let src = if c.func_name == "optMap" {
                    "__pal_o.hasValue() ? optional.of(cel.bind(__pal_x, __pal_o.value(), __pal_e)) : optional.none()"
                } else {
                    "__pal_o.hasValue() ? cel.bind(__pal_x, __pal_o.value(), __pal_e) : optional.none()"
                };
                let e = c.args.pop().unwrap_or_default();
                let x = c.args.pop().unwrap_or_default();
                return rewrite(template(
                    src,
                    vec![("__pal_o", *target), ("__pal_x", x), ("__pal_e", e)],
                )?);
            }
            if let Some(expanded) = two_variable_macro(&mut c)? {
                return rewrite(expanded);
            }
            // Heterogeneous numeric equality (`1 == 1.0`, `1u in [1]`) as in cel-go.
            if c.target.is_none() && c.args.len() == 2 {
                match c.func_name.as_str() {
                    cel::common::ast::operators::EQUALS => c.func_name = "@eq".into(),
                    cel::common::ast::operators::NOT_EQUALS => c.func_name = "@ne".into(),
                    cel::common::ast::operators::IN => c.func_name = "@pal_in".into(),
                    cel::common::ast::operators::INDEX => c.func_name = "@pal_index".into(),
                    _ => {}
                }
            }
            // Integer negation panics on overflow in cel 0.13; ours reports an error.
            if c.target.is_none()
                && c.args.len() == 1
                && c.func_name == cel::common::ast::operators::NEGATE
            {
                c.func_name = "@neg".into();
            }
            if c.target.is_none() && c.args.len() == 2 {
                if c.func_name == cel::common::ast::operators::OPT_SELECT {
                    c.func_name = "@optsel".into();
                } else if c.func_name == cel::common::ast::operators::OPT_INDEX {
                    c.func_name = "@optidx".into();
                }
            }
            c.target = match c.target {
                Some(t) => Some(Box::new(rewrite(*t)?)),
                None => None,
            };
            c.args = c.args.into_iter().map(rewrite).collect::<Result<_, _>>()?;
            Expr::Call(c)
        }
        Expr::Comprehension(c) => {
            let c = *c;
            if c.iter_var2.is_some() {
                return Err(CelError::msg(
                    "two-variable comprehensions are not supported by this CEL engine",
                ));
            }
            let step = rewrite(c.loop_step)?;
            Expr::Comprehension(Box::new(ComprehensionExpr {
                iter_range: rewrite(c.iter_range)?,
                iter_var: c.iter_var,
                iter_var2: None,
                accu_var: c.accu_var,
                accu_init: rewrite(c.accu_init)?,
                loop_cond: rewrite(c.loop_cond)?,
                // `@tick(1) ? step : null`: charges one unit per iteration. Passing the step's
                // value through a function instead would copy the accumulator on every
                // iteration (cel 0.13 converts function arguments and results deeply).
                loop_step: call(
                    cel::common::ast::operators::CONDITIONAL,
                    vec![
                        call(
                            "@tick",
                            vec![IdedExpr {
                                id,
                                expr: Expr::Literal(LiteralValue::Int(1.into())),
                            }],
                            id,
                        ),
                        step,
                        IdedExpr {
                            id,
                            expr: Expr::Literal(LiteralValue::Null),
                        },
                    ],
                    id,
                ),
                result: rewrite(c.result)?,
            }))
        }
        Expr::List(l) => Expr::List(ListExpr {
            elements: l
                .elements
                .into_iter()
                .map(rewrite)
                .collect::<Result<_, _>>()?,
            optional_indices: l.optional_indices,
        }),
        Expr::Map(mut m) => {
            for entry in &mut m.entries {
                if let EntryExpr::MapEntry(me) = &mut entry.expr {
                    me.key = rewrite(std::mem::take(&mut me.key))?;
                    me.value = rewrite(std::mem::take(&mut me.value))?;
                }
            }
            Expr::Map(m)
        }
        Expr::Select(s) => {
            if let Expr::Ident(root) = &s.operand.expr
                && root == "variables"
            {
                // Policy variables are stored one by one so they are converted once.
                return Ok(IdedExpr {
                    id,
                    expr: if s.test {
                        Expr::Literal(LiteralValue::Boolean(true.into()))
                    } else {
                        Expr::Ident(format!("@v.{}", s.field))
                    },
                });
            }
            // A chain `x.a.b.c` becomes one call `@path(x, "a", "b", "c")` (`@has_path` for
            // has()), which walks the interpreter's values in place: see `path_function`.
            let field = |name: &str, id| IdedExpr {
                id,
                // Back-quoted names (`a.`b.c``) select the field `b.c`.
                expr: Expr::Literal(LiteralValue::String(name.trim_matches('`').into())),
            };
            let mut fields = vec![field(&s.field, id)];
            let mut operand = *s.operand;
            loop {
                match std::mem::take(&mut operand.expr) {
                    Expr::Select(inner)
                        if !inner.test
                            && !matches!(&inner.operand.expr, Expr::Ident(r) if r == "variables") =>
                    {
                        fields.push(field(&inner.field, operand.id));
                        operand = *inner.operand;
                    }
                    other => {
                        operand.expr = other;
                        break;
                    }
                }
            }
            fields.push(rewrite(operand)?);
            fields.reverse();
            let name = if s.test { "@has_path" } else { "@path" };
            return Ok(call(name, fields, id));
        }
        other @ (Expr::Ident(_) | Expr::Literal(_)) => other,
    };
    Ok(IdedExpr { id, expr })
}

/// Parses a macro template in which `__pal_*` identifiers stand for sub-expressions.
fn template(src: &str, subst: Vec<(&str, IdedExpr)>) -> Result<IdedExpr, CelError> {
    let parsed = cel::parser::Parser::new()
        .parse(src)
        .map_err(|_| CelError::msg("internal macro template does not parse"))?;
    Ok(literals::map_idents(parsed, &|n| {
        subst
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.expr.clone())
    }))
}

/// `all`, `exists`, `existsOne`, `transformList`, `transformMap` with two variables (index or
/// key, value): cel 0.13 has none of them. They iterate over `@pairs(range)` (`[[i, v], ...]`)
/// and bind both names with `cel.bind`.
fn two_variable_macro(c: &mut cel::common::ast::CallExpr) -> Result<Option<IdedExpr>, CelError> {
    let names = [
        "all",
        "exists",
        "existsOne",
        "exists_one",
        "transformList",
        "transformMap",
    ];
    if c.target.is_none()
        || !names.contains(&c.func_name.as_str())
        || !(3..=4).contains(&c.args.len())
    {
        return Ok(None);
    }
    let (Expr::Ident(_), Expr::Ident(_)) = (&c.args[0].expr, &c.args[1].expr) else {
        return Ok(None);
    };
    let Some(target) = c.target.take() else {
        return Ok(None);
    };
    let range = call("@pairs", vec![*target], 0);
    let args = std::mem::take(&mut c.args);
    let mut it = args.into_iter();
    let (Some(i), Some(v)) = (it.next(), it.next()) else {
        return Ok(None);
    };
    let rest: Vec<IdedExpr> = it.collect();
    let bind = |body: IdedExpr| -> Result<IdedExpr, CelError> {
        template(
            "cel.bind(__pal_i, __pal_p[0], cel.bind(__pal_v, __pal_p[1], __pal_body))",
            vec![
                ("__pal_i", i.clone()),
                ("__pal_v", v.clone()),
                ("__pal_body", body),
            ],
        )
    };
    let expanded = match (c.func_name.as_str(), rest.len()) {
        ("all", 1) => template(
            "__pal_r.all(__pal_p, __pal_b)",
            vec![("__pal_r", range), ("__pal_b", bind(rest[0].clone())?)],
        )?,
        ("exists", 1) => template(
            "__pal_r.exists(__pal_p, __pal_b)",
            vec![("__pal_r", range), ("__pal_b", bind(rest[0].clone())?)],
        )?,
        ("existsOne" | "exists_one", 1) => template(
            "__pal_r.exists_one(__pal_p, __pal_b)",
            vec![("__pal_r", range), ("__pal_b", bind(rest[0].clone())?)],
        )?,
        ("transformList", 1) => template(
            "__pal_r.map(__pal_p, __pal_b)",
            vec![("__pal_r", range), ("__pal_b", bind(rest[0].clone())?)],
        )?,
        ("transformList", 2) => template(
            "__pal_r.filter(__pal_p, __pal_f).map(__pal_p, __pal_b)",
            vec![
                ("__pal_r", range),
                ("__pal_f", bind(rest[0].clone())?),
                ("__pal_b", bind(rest[1].clone())?),
            ],
        )?,
        ("transformMap", 1) => template(
            "__pal_map_of(__pal_r.map(__pal_p, [__pal_p[0], __pal_b]))",
            vec![("__pal_r", range), ("__pal_b", bind(rest[0].clone())?)],
        )?,
        ("transformMap", 2) => template(
            "__pal_map_of(__pal_r.filter(__pal_p, __pal_f).map(__pal_p, [__pal_p[0], __pal_b]))",
            vec![
                ("__pal_r", range),
                ("__pal_f", bind(rest[0].clone())?),
                ("__pal_b", bind(rest[1].clone())?),
            ],
        )?,
        _ => return Ok(None),
    };
    Ok(Some(expanded))
}

thread_local! {
    /// Remaining cost of the expression running on this thread.
    static BUDGET: Cell<u64> = const { Cell::new(PER_CALL_LIMIT) };
    /// Built-in and Kubernetes functions, registered once per thread (a `Context` is not `Sync`).
    static ROOT: Context<'static> = root_context();
}

fn charge(cost: u64) -> Result<(), ExecutionError> {
    BUDGET.with(|b| {
        let left = b.get();
        if left < cost {
            b.set(0);
            Err(ExecutionError::function_error(
                "cost",
                "the expression exceeded its cost budget (as the API server's per-expression limit would stop it); \
                 simplify it or iterate over less data",
            ))
        } else {
            b.set(left - cost);
            Ok(())
        }
    })
}

fn size_cost(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.len() as u64 / 16,
        Value::Bytes(b) => b.len() as u64 / 16,
        Value::List(l) => l.len() as u64,
        Value::Map(m) => m.map.len() as u64,
        _ => 0,
    }
}

/// `operand.field`. cel 0.13 answers `false` for a field of a string, number or null; cel-go
/// fails, and so does this.
fn select(operand: Value, field: Arc<String>) -> Result<Value, ExecutionError> {
    match &operand {
        Value::Opaque(o) if o.downcast_ref::<OptionalValue>().is_some() => {
            Ok(optional_lookup(&operand, &Value::String(field)))
        }
        Value::Map(m) => m
            .map
            .get(&Key::String(field.clone()))
            .cloned()
            .ok_or(ExecutionError::NoSuchKey(field)),
        other => Err(ExecutionError::function_error(
            "select",
            format!(
                "no such key: {field} (the value is {}, not a map)",
                other.type_of()
            ),
        )),
    }
}

/// `has(operand.field)`; it also looks into optionals.
fn has_field(a: Value, field: Arc<String>) -> Result<Value, ExecutionError> {
    let base = match &a {
        Value::Opaque(o) => match o.downcast_ref::<OptionalValue>() {
            Some(opt) => match opt.value() {
                Some(v) => v.clone(),
                None => return Ok(Value::Bool(false)),
            },
            None => a.clone(),
        },
        _ => a.clone(),
    };
    Ok(Value::Bool(
        matches!(&base, Value::Map(m) if m.map.contains_key(&Key::String(field))),
    ))
}

/// A function that gets its arguments unevaluated (cel's own `Function` type, which it does not
/// export by name).
type RawFunction = Box<dyn Fn(&mut FunctionContext) -> Result<Value, ExecutionError> + Send + Sync>;

/// `@path(x, "a", "b")` is `x.a.b`; `@has_path(x, "a", "b")` is `has(x.a.b)`. Written as a raw
/// function so that its arguments are not converted: cel 0.13 copies every function argument
/// and result deeply between its two value representations, and going through `@sel` for
/// each step copied the whole object several times per field access. Maps are walked in
/// place; only the final value is converted. Optionals and non-maps take the per-step
/// semantics of `select` and `has_field`.
fn path_function(test: bool) -> RawFunction {
    let not_literal =
        || ExecutionError::function_error("select", "internal: field names must be literals");
    Box::new(
        move |ftx: &mut FunctionContext| -> Result<Value, ExecutionError> {
            let Some((root, fields)) = ftx.args.split_first() else {
                return Err(ExecutionError::MissingArgumentOrTarget);
            };
            let root = Value::resolve_val(root, ftx.ptx)?;
            let mut cur: &dyn Val = root.as_ref();
            for (i, f) in fields.iter().enumerate() {
                let key: &dyn Val = match &f.expr {
                    Expr::Literal(LiteralValue::String(k)) => k,
                    _ => return Err(not_literal()),
                };
                let next = match cur.downcast_ref::<CelMap>() {
                    Some(m) if test && i + 1 == fields.len() => {
                        return Ok(Value::Bool(Container::contains(m, key)?));
                    }
                    Some(m) => match Indexer::get(m, key)? {
                        Cow::Borrowed(v) => Some(v),
                        Cow::Owned(_) => None,
                    },
                    None => None,
                };
                match next {
                    Some(v) => cur = v,
                    None => {
                        // The rest of the chain on converted values (rare: optionals,
                        // non-maps), with the per-step semantics of `.` and `has()`.
                        let mut v = Value::try_from(cur)?;
                        for (j, f) in fields[i..].iter().enumerate() {
                            let name = match &f.expr {
                                Expr::Literal(LiteralValue::String(s)) => s.inner(),
                                _ => return Err(not_literal()),
                            };
                            let field = Arc::new(name.to_string());
                            v = if test && i + j + 1 == fields.len() {
                                has_field(v, field)?
                            } else {
                                select(v, field)?
                            };
                        }
                        return Ok(v);
                    }
                }
            }
            Value::try_from(cur)
        },
    )
}

fn root_context() -> Context<'static> {
    let mut ctx = Context::default();
    ctx.register_all();
    ctx.add_function("@tick", |units: i64| -> Result<Value, ExecutionError> {
        charge(units.max(0) as u64)?;
        Ok(Value::Bool(true))
    });
    ctx.add_function(
        "@optsel",
        |operand: Value, field: Arc<String>| -> Result<Value, ExecutionError> {
            Ok(optional_lookup(&operand, &Value::String(field)))
        },
    );
    ctx.add_function("@sel", select);
    ctx.add_function("@path", path_function(false));
    ctx.add_function("@has_path", path_function(true));
    ctx.add_function(
        "__pal_map_of",
        |pairs: Arc<Vec<Value>>| -> Result<Value, ExecutionError> {
            let mut map = HashMap::new();
            for p in pairs.iter() {
                if let Value::List(kv) = p
                    && let [k, v] = kv.as_slice()
                {
                    let key = match k {
                        Value::String(s) => Key::String(s.clone()),
                        Value::Int(i) => Key::Int(*i),
                        Value::UInt(u) => Key::Uint(*u),
                        Value::Bool(b) => Key::Bool(*b),
                        other => return Err(ExecutionError::UnsupportedKeyType(other.clone())),
                    };
                    map.insert(key, v.clone());
                }
            }
            Ok(Value::Map(Map { map: Arc::new(map) }))
        },
    );
    ctx.add_function("@pairs", |v: Value| -> Result<Value, ExecutionError> {
        let pair = |a: Value, b: Value| Value::List(Arc::new(vec![a, b]));
        match v {
            Value::List(l) => Ok(Value::List(Arc::new(
                l.iter()
                    .enumerate()
                    .map(|(i, x)| pair(Value::Int(i as i64), x.clone()))
                    .collect(),
            ))),
            Value::Map(m) => Ok(Value::List(Arc::new(
                m.map
                    .iter()
                    .map(|(k, x)| {
                        let k = match k {
                            Key::String(s) => Value::String(s.clone()),
                            Key::Int(i) => Value::Int(*i),
                            Key::Uint(u) => Value::UInt(*u),
                            Key::Bool(b) => Value::Bool(*b),
                        };
                        pair(k, x.clone())
                    })
                    .collect(),
            ))),
            _ => Err(ExecutionError::NoSuchOverload),
        }
    });
    ctx.add_function(
        "@eq",
        |a: Value, b: Value| -> Result<Value, ExecutionError> { Ok(Value::Bool(equal(&a, &b))) },
    );
    ctx.add_function(
        "@ne",
        |a: Value, b: Value| -> Result<Value, ExecutionError> { Ok(Value::Bool(!equal(&a, &b))) },
    );
    ctx.add_function(
        "@pal_index",
        |a: Value, k: Value| -> Result<Value, ExecutionError> {
            let (base, optional_base) = match &a {
                Value::Opaque(o) => match o.downcast_ref::<OptionalValue>() {
                    Some(opt) => match opt.value() {
                        Some(v) => (v.clone(), true),
                        None => return Ok(optional(None)),
                    },
                    None => (a.clone(), false),
                },
                _ => (a.clone(), false),
            };
            if optional_base {
                return Ok(optional_lookup(&base, &k));
            }
            match (&base, &k) {
                (Value::List(l), _) => {
                    let i = match k {
                        Value::Int(i) => i,
                        Value::UInt(u) => i64::try_from(u).unwrap_or(i64::MAX),
                        Value::Float(f) if f.fract() == 0.0 => f as i64,
                        other => return Err(ExecutionError::UnsupportedListIndex(other)),
                    };
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| l.get(i).cloned())
                        .ok_or(ExecutionError::IndexOutOfBounds(Value::Int(i)))
                }
                (Value::Map(m), _) => {
                    map_get(m, &k).ok_or_else(|| ExecutionError::no_such_key(&display(&k)))
                }
                _ => Err(ExecutionError::UnsupportedIndex(base.clone(), k.clone())),
            }
        },
    );
    ctx.add_function("@pal_has", has_field);
    // cel-go semantics where cel 0.13 / kube-cel differ: `size` counts code points, `int`
    // checks ranges and reads timestamps, the bit functions take uints and shift logically.
    ctx.add_function(
        "size",
        |ftx: &FunctionContext, v: Arguments| -> Result<Value, ExecutionError> {
            let v = match (&ftx.this, v.0.first()) {
                (Some(t), _) => t.clone(),
                (None, Some(a)) => a.clone(),
                _ => return Err(ExecutionError::MissingArgumentOrTarget),
            };
            let n = match &v {
                Value::String(s) => s.chars().count(),
                Value::Bytes(b) => b.len(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.map.len(),
                other => {
                    return Err(ExecutionError::UnsupportedTargetType {
                        target: other.clone(),
                    });
                }
            };
            Ok(Value::Int(n as i64))
        },
    );
    ctx.add_function("int", |v: Value| -> Result<Value, ExecutionError> {
        let range = || ExecutionError::function_error("int", "integer overflow");
        match v {
            Value::Int(i) => Ok(Value::Int(i)),
            Value::UInt(u) => i64::try_from(u).map(Value::Int).map_err(|_| range()),
            Value::Float(f) => {
                // Both bounds are ±2^63 as doubles, and excluded as in cel-go.
                if f.is_finite() && f > i64::MIN as f64 && f < i64::MAX as f64 {
                    Ok(Value::Int(f as i64))
                } else {
                    Err(range())
                }
            }
            Value::String(s) => s.parse().map(Value::Int).map_err(|_| {
                ExecutionError::function_error("int", format!("cannot parse `{s}` as int"))
            }),
            Value::Timestamp(t) => Ok(Value::Int(t.timestamp())),
            other => Err(ExecutionError::function_error(
                "int",
                format!("cannot convert {} to int", type_name(&other)),
            )),
        }
    });
    let bit = |name: &'static str, fi: fn(i64, i64) -> i64, fu: fn(u64, u64) -> u64| {
        move |a: Value, b: Value| -> Result<Value, ExecutionError> {
            match (a, b) {
                (Value::Int(x), Value::Int(y)) => Ok(Value::Int(fi(x, y))),
                (Value::UInt(x), Value::UInt(y)) => Ok(Value::UInt(fu(x, y))),
                _ => Err(ExecutionError::function_error(
                    name,
                    "arguments must both be int or both be uint",
                )),
            }
        }
    };
    ctx.add_function(
        "math.bitAnd",
        bit("math.bitAnd", |a, b| a & b, |a, b| a & b),
    );
    ctx.add_function("math.bitOr", bit("math.bitOr", |a, b| a | b, |a, b| a | b));
    ctx.add_function(
        "math.bitXor",
        bit("math.bitXor", |a, b| a ^ b, |a, b| a ^ b),
    );
    ctx.add_function("math.bitNot", |a: Value| -> Result<Value, ExecutionError> {
        match a {
            Value::Int(x) => Ok(Value::Int(!x)),
            Value::UInt(x) => Ok(Value::UInt(!x)),
            _ => Err(ExecutionError::function_error(
                "math.bitNot",
                "argument must be int or uint",
            )),
        }
    });
    let shift = |name: &'static str, left: bool| {
        move |a: Value, n: i64| -> Result<Value, ExecutionError> {
            if n < 0 {
                return Err(ExecutionError::function_error(name, "negative shift"));
            }
            let sh = |x: u64| -> u64 {
                if n >= 64 {
                    0
                } else if left {
                    x << n
                } else {
                    x >> n
                }
            };
            match a {
                Value::Int(x) => Ok(Value::Int(sh(x as u64) as i64)),
                Value::UInt(x) => Ok(Value::UInt(sh(x))),
                _ => Err(ExecutionError::function_error(
                    name,
                    "argument must be int or uint",
                )),
            }
        }
    };
    ctx.add_function("math.bitShiftLeft", shift("math.bitShiftLeft", true));
    ctx.add_function("math.bitShiftRight", shift("math.bitShiftRight", false));
    ctx.add_function("type", |v: Value| -> Result<Value, ExecutionError> {
        Ok(type_value(type_name(&v)))
    });
    for t in [
        "int",
        "uint",
        "double",
        "bool",
        "string",
        "bytes",
        "list",
        "map",
        "null_type",
        "type",
        "optional_type",
    ] {
        ctx.add_variable_from_value(t, type_value(t));
    }
    ctx.add_function(
        "@pal_in",
        |a: Value, b: Value| -> Result<Value, ExecutionError> {
            match &b {
                Value::List(l) => Ok(Value::Bool(l.iter().any(|x| equal(&a, x)))),
                Value::Map(m) => Ok(Value::Bool(m.map.keys().any(|k| equal(&a, &key_value(k))))),
                _ => Err(ExecutionError::NoSuchOverload),
            }
        },
    );
    ctx.add_function("bool", |v: Value| -> Result<Value, ExecutionError> {
        match v {
            Value::Bool(b) => Ok(Value::Bool(b)),
            Value::String(s) => match s.as_str() {
                "1" | "t" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
                "0" | "f" | "false" | "FALSE" | "False" => Ok(Value::Bool(false)),
                other => Err(ExecutionError::function_error(
                    "bool",
                    format!("cannot convert `{other}` to bool"),
                )),
            },
            _ => Err(ExecutionError::NoSuchOverload),
        }
    });
    ctx.add_function("@neg", |v: Value| -> Result<Value, ExecutionError> {
        match v {
            Value::Int(i) => i
                .checked_neg()
                .map(Value::Int)
                .ok_or_else(|| ExecutionError::function_error("negate", "integer overflow")),
            Value::Float(f) => Ok(Value::Float(-f)),
            other => Err(ExecutionError::UnsupportedUnaryOperator("minus", other)),
        }
    });
    ctx.add_function(
        "@optidx",
        |operand: Value, index: Value| -> Result<Value, ExecutionError> {
            Ok(optional_lookup(&operand, &index))
        },
    );
    ctx.add_function(
        "@charge",
        |_ftx: &FunctionContext, v: Value| -> Result<Value, ExecutionError> {
            charge(1 + size_cost(&v))?;
            Ok(v)
        },
    );
    ctx
}

/// A CEL type value (`type(x)`, `int`, `string`...).
#[derive(Debug, PartialEq, Eq)]
struct CelType(&'static str);

impl cel::objects::Opaque for CelType {
    fn runtime_type_name(&self) -> &str {
        "type"
    }
}

fn type_value(name: &'static str) -> Value {
    Value::Opaque(Arc::new(CelType(name)))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "list",
        Value::Map(_) => "map",
        Value::Int(_) => "int",
        Value::UInt(_) => "uint",
        Value::Float(_) => "double",
        Value::String(_) => "string",
        Value::Bytes(_) => "bytes",
        Value::Bool(_) => "bool",
        Value::Null => "null_type",
        Value::Duration(_) => "google.protobuf.Duration",
        Value::Timestamp(_) => "google.protobuf.Timestamp",
        Value::Opaque(o) if o.downcast_ref::<CelType>().is_some() => "type",
        Value::Opaque(o) if o.downcast_ref::<OptionalValue>().is_some() => "optional_type",
        _ => "dyn",
    }
}

/// Map lookup where numeric keys of different types are equal (`{1u: x}[1]`).
fn map_get(m: &Map, k: &Value) -> Option<Value> {
    let direct = match k {
        Value::String(s) => Some(Key::String(s.clone())),
        Value::Int(i) => Some(Key::Int(*i)),
        Value::UInt(u) => Some(Key::Uint(*u)),
        Value::Bool(b) => Some(Key::Bool(*b)),
        _ => None,
    };
    if let Some(v) = direct.and_then(|d| m.map.get(&d)) {
        return Some(v.clone());
    }
    if matches!(k, Value::Int(_) | Value::UInt(_) | Value::Float(_)) {
        return m
            .map
            .iter()
            .find(|(mk, _)| equal(&key_value(mk), k))
            .map(|(_, v)| v.clone());
    }
    None
}

fn key_value(k: &Key) -> Value {
    match k {
        Key::String(s) => Value::String(s.clone()),
        Key::Int(i) => Value::Int(*i),
        Key::Uint(u) => Value::UInt(*u),
        Key::Bool(b) => Value::Bool(*b),
    }
}

/// CEL equality: numbers compare by value across int, uint and double; lists and maps
/// element by element with the same rule.
fn equal(a: &Value, b: &Value) -> bool {
    use Value as V;
    match (a, b) {
        (V::Int(x), V::UInt(y)) | (V::UInt(y), V::Int(x)) => {
            u64::try_from(*x).is_ok_and(|x| x == *y)
        }
        (V::Int(x), V::Float(y)) | (V::Float(y), V::Int(x)) => {
            (*x as f64) == *y && y.fract() == 0.0 && y.abs() < 9.3e18
        }
        (V::UInt(x), V::Float(y)) | (V::Float(y), V::UInt(x)) => {
            (*x as f64) == *y && *y >= 0.0 && *y < 1.85e19
        }
        (V::List(x), V::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| equal(a, b))
        }
        (V::Map(x), V::Map(y)) => {
            x.map.len() == y.map.len()
                && x.map.iter().all(|(k, v)| {
                    let kv = key_value(k);
                    y.map
                        .iter()
                        .any(|(k2, v2)| equal(&kv, &key_value(k2)) && equal(v, v2))
                })
        }
        (V::Opaque(x), V::Opaque(y)) => match (
            x.downcast_ref::<OptionalValue>(),
            y.downcast_ref::<OptionalValue>(),
        ) {
            (Some(x), Some(y)) => match (x.value(), y.value()) {
                (None, None) => true,
                (Some(a), Some(b)) => equal(a, b),
                _ => false,
            },
            _ => a == b,
        },
        _ => a == b,
    }
}

fn optional(v: Option<Value>) -> Value {
    Value::Opaque(Arc::new(match v {
        Some(v) => OptionalValue::of(v),
        None => OptionalValue::none(),
    }))
}

/// `a.?f` / `a[?k]`: `optional.none()` when `a` is none or lacks the field, else `optional.of`.
fn optional_lookup(operand: &Value, key: &Value) -> Value {
    let base = match operand {
        Value::Opaque(o) => match o.downcast_ref::<OptionalValue>() {
            Some(opt) => match opt.value() {
                Some(v) => v,
                None => return optional(None),
            },
            None => operand,
        },
        _ => operand,
    };
    let found = match (base, key) {
        (Value::Map(m), k) => map_get(m, k),
        (Value::List(l), Value::Int(i)) => usize::try_from(*i).ok().and_then(|i| l.get(i).cloned()),
        (Value::List(l), Value::UInt(u)) => {
            usize::try_from(*u).ok().and_then(|i| l.get(i).cloned())
        }
        _ => None,
    };
    optional(found)
}

/// Converts a positioned tree to a CEL value (JSON semantics: integers stay `int`).
pub fn node_to_value(n: &Node) -> Value {
    match &n.value {
        NV::Null => Value::Null,
        NV::Bool(b) => Value::Bool(*b),
        NV::Int(i) => Value::Int(*i),
        NV::Float(f) => Value::Float(*f),
        NV::Str(s) => Value::String(Arc::new(s.to_string())),
        NV::Seq(items) => Value::List(Arc::new(items.iter().map(node_to_value).collect())),
        NV::Map(m) => {
            let map: HashMap<Key, Value> = m
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.to_string())), node_to_value(v)))
                .collect();
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// Converts JSON to a CEL value.
pub fn json_to_value(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::String(Arc::new(s.clone())),
        J::Array(a) => Value::List(Arc::new(a.iter().map(json_to_value).collect())),
        J::Object(o) => {
            let map: HashMap<Key, Value> = o
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), json_to_value(v)))
                .collect();
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// An empty CEL map.
pub fn empty_map() -> Value {
    Value::Map(Map {
        map: Arc::new(HashMap::new()),
    })
}

/// Builds a map from string keys.
pub fn map_of(entries: impl IntoIterator<Item = (String, Value)>) -> Value {
    let map: HashMap<Key, Value> = entries
        .into_iter()
        .map(|(k, v)| (Key::String(Arc::new(k)), v))
        .collect();
    Value::Map(Map { map: Arc::new(map) })
}

/// Renders a value for a message: strings as they are, everything else in CEL literal syntax.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => literal(other),
    }
}

fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{:?}", s.as_str()),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => format!("{u}u"),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Bytes(b) => format!("b{:?}", String::from_utf8_lossy(b)),
        Value::List(l) => format!("[{}]", l.iter().map(literal).collect::<Vec<_>>().join(", ")),
        Value::Map(m) => {
            let mut entries: Vec<String> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let k = match k {
                        Key::String(s) => format!("{:?}", s.as_str()),
                        Key::Int(i) => i.to_string(),
                        Key::Uint(u) => format!("{u}u"),
                        Key::Bool(b) => b.to_string(),
                    };
                    format!("{k}: {}", literal(v))
                })
                .collect();
            entries.sort();
            format!("{{{}}}", entries.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// One evaluation's variables over the per-thread function registry. Policy variables
/// (`variables.x`) are stored as `@v.x` (see [`rewrite`]); one that failed keeps its error, which
/// is reported when an expression uses it.
pub struct Scope<'a> {
    ctx: Context<'a>,
    /// What is left of the evaluation's cost budget.
    pub budget: u64,
    var_errors: Vec<(String, String)>,
}

/// Runs `f` with a fresh scope on this thread.
pub fn with_scope<R>(f: impl FnOnce(&mut Scope<'_>) -> R) -> R {
    ROOT.with(|root| {
        let mut s = Scope {
            ctx: root.new_inner_scope(),
            budget: PER_EVALUATION_LIMIT,
            var_errors: Vec::new(),
        };
        f(&mut s)
    })
}

impl Scope<'_> {
    /// Runs `f` in a scope over this one's variables (bound once, e.g. a review's inputs for all
    /// its constraints), with a fresh budget and its own variables.
    pub fn child<R>(&self, f: impl FnOnce(&mut Scope<'_>) -> R) -> R {
        let mut s = Scope {
            ctx: self.ctx.new_inner_scope(),
            budget: PER_EVALUATION_LIMIT,
            var_errors: self.var_errors.clone(),
        };
        f(&mut s)
    }

    pub fn set(&mut self, name: &str, v: Value) {
        // Conversion of plain data values cannot fail (only function values are refused).
        self.ctx.add_variable_from_value(name, v);
    }

    /// Sets `variables.<name>` to a value or an error.
    pub fn set_variable(&mut self, name: &str, v: Result<Value, CelError>) {
        match v {
            Ok(v) => self.set(&format!("@v.{name}"), v),
            Err(e) => self.var_errors.push((format!("@v.{name}"), e.message)),
        }
    }

    /// Evaluates `prog`, charging the scope's budget (and at most the per-expression limit).
    pub fn eval(&mut self, prog: &Program) -> Result<Value, CelError> {
        let limit = self.budget.min(PER_CALL_LIMIT);
        BUDGET.with(|b| b.set(limit));
        // The interpreter has a few panics left (arithmetic corner cases in debug builds);
        // one must not take the scan down with it.
        let ctx = &self.ctx;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Value::resolve(&prog.expr, ctx)
        }))
        .unwrap_or_else(|_| {
            Err(ExecutionError::function_error(
                "eval",
                "the CEL interpreter failed on this expression",
            ))
        });
        let left = BUDGET.with(|b| b.get());
        self.budget = self.budget.saturating_sub(limit - left.min(limit));
        result.map_err(|e| {
            if let ExecutionError::UndeclaredReference(r) = &e
                && let Some((name, msg)) = self.var_errors.iter().find(|(n, _)| **n == **r)
            {
                return CelError::msg(format!("variables.{}: {msg}", &name[3..]));
            }
            CelError::msg(error_text(&e))
        })
    }
}

/// Error texts closer to cel-go's than the interpreter's debug output.
fn error_text(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(k) => format!("no such key: {k}"),
        ExecutionError::UndeclaredReference(r) => format!("undeclared reference to '{r}'"),
        ExecutionError::NoSuchOverload => "no such overload".into(),
        ExecutionError::FunctionError { function, message } if function == "cost" => {
            format!("cost limit exceeded: {message}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Result<Value, CelError> {
        let p = compile(src)?;
        with_scope(|s| {
            s.set(
                "object",
                json_to_value(&serde_json::json!({"metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"n": 3}})),
            );
            let v = compile("object.spec.n * 2").and_then(|p| s.eval(&p));
            s.set_variable("double", v);
            s.set_variable("broken", Err(CelError::msg("boom")));
            s.eval(&p)
        })
    }

    #[test]
    fn basics_and_kubernetes_libraries() {
        assert_eq!(run("object.metadata.name == 'x'"), Ok(Value::Bool(true)));
        assert_eq!(run("dyn(object.spec.n) + 1"), Ok(Value::Int(4)));
        assert_eq!(run("cel.bind(n, object.spec.n, n * n)"), Ok(Value::Int(9)));
        assert_eq!(run("'a,b'.split(',').size()"), Ok(Value::Int(2)));
        assert_eq!(
            run("quantity('1Gi').isGreaterThan(quantity('1Mi'))"),
            Ok(Value::Bool(true))
        );
        assert_eq!(run("object.?spec.?missing.orValue(5)"), Ok(Value::Int(5)));
        assert_eq!(run("object.?spec.?n.orValue(5)"), Ok(Value::Int(3)));
        assert_eq!(
            run("[1, 2][?1].hasValue() && !{'a': 1}[?'b'].hasValue()"),
            Ok(Value::Bool(true))
        );
        assert_eq!(run("[1,2,3].all(x, x > 0)"), Ok(Value::Bool(true)));
        assert_eq!(run("variables.double"), Ok(Value::Int(6)));
        let e = run("variables.broken == 1").unwrap_err();
        assert!(e.message.contains("variables.broken: boom"), "{e}");
    }

    #[test]
    fn errors_name_the_position() {
        let e = compile("object.metadata.name ==").unwrap_err();
        assert_eq!(e.line, 1);
        let e = compile("Foo{a: 1}").unwrap_err();
        assert!(e.message.contains("not supported"), "{e}");
        let e = run("object.nope.x").unwrap_err();
        assert!(e.message.contains("no such key"), "{e}");
    }

    #[test]
    fn field_chains_keep_select_and_has_semantics() {
        // Walked in place through maps...
        assert_eq!(
            run("object.metadata.labels.a"),
            Ok(Value::String(Arc::new("b".into())))
        );
        assert_eq!(run("has(object.metadata.labels.a)"), Ok(Value::Bool(true)));
        assert_eq!(run("has(object.metadata.labels.z)"), Ok(Value::Bool(false)));
        assert_eq!(
            run("object.metadata.labels").map(|v| matches!(v, Value::Map(_))),
            Ok(true)
        );
        // ...missing keys fail as a select does, and has() of a field of a missing one too.
        assert!(
            run("object.metadata.nope")
                .unwrap_err()
                .message
                .contains("no such key")
        );
        assert!(
            run("has(object.nope.x)")
                .unwrap_err()
                .message
                .contains("no such key")
        );
        // A field of a scalar is an error (cel-go), has() of one is false.
        let e = run("object.metadata.name.x").unwrap_err();
        assert!(e.message.contains("not a map"), "{e}");
        assert_eq!(run("has(object.metadata.name.x)"), Ok(Value::Bool(false)));
        // Chains over computed values and optionals take the per-step path.
        assert_eq!(run("{'a': {'b': 1}}.a.b"), Ok(Value::Int(1)));
        assert_eq!(
            run("object.?metadata.labels.a.orValue('none')"),
            Ok(Value::String(Arc::new("b".into())))
        );
        assert_eq!(
            run("object.?nope.labels.a.orValue('none')"),
            Ok(Value::String(Arc::new("none".into())))
        );
        assert_eq!(run("has(object.?metadata.labels)"), Ok(Value::Bool(true)));
        // Back-quoted field names.
        assert_eq!(run("{'a.b': 2}.`a.b`"), Ok(Value::Int(2)));
    }

    #[test]
    fn expensive_expressions_stop() {
        let e = run("[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, \
                     [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))")
            .unwrap_err();
        assert!(e.message.contains("cost limit"), "{e}");
        let mut doubling = "'xxxxxxxxxxxxxxxx'".to_string();
        for i in 0..40 {
            doubling = format!("cel.bind(v{i}, {doubling}, v{i} + v{i})");
        }
        let e = run(&doubling).unwrap_err();
        assert!(e.message.contains("cost limit"), "{e}");
    }
}
