//! Which of the customer's columns a script reads, found from its syntax, so that a run
//! gives scripts a `customer` map of those columns only instead of every column of the
//! export (filling, copying and handing over 24 values for scripts that read five was
//! a sixth of the README's run).
//!
//! What is found is what the map must hold: `customer.company`, `customer["城市"]`,
//! `customer.last_order.days_until(as_of)` read one column each. Any other use of
//! `customer` (a copy, `customer + #{…}`, `keys()`, an assignment into it, passing it to a
//! function) may see every column, and the script gets them all. `render` reads the
//! columns its template names: a template written as one string is read here; one built
//! at run time may name a column left out, which `render` notices (see
//! [`super::sandbox::begin_call`]): that call is then made again with every column, so a
//! left-out column is never seen as missing.

use super::sandbox::template_names;
use rhai::{ASTNode, Expr, Stmt, AST};
use std::collections::BTreeSet;

/// The columns a script's `customer` map must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CustomerReads {
    /// Every column.
    All,
    /// These columns (a name that is no column reads nothing, as with the whole map).
    Only(BTreeSet<String>),
}

impl CustomerReads {
    /// What a compiled script reads of `customer`, in its statements and its functions.
    pub fn of(ast: &AST) -> CustomerReads {
        if ast.iter_functions().any(|f| f.name == "render") {
            // Its own `render` would get the whole map as `this`.
            return CustomerReads::All;
        }
        let mut fields = BTreeSet::new();
        let mut all = false;
        let mut built_template = false;
        ast.walk(&mut |path: &[ASTNode]| {
            if let Some(ASTNode::Expr(variable @ Expr::Variable(name, ..))) = path.last() {
                if name.1.as_str() == "customer" {
                    match read(variable, &path[..path.len() - 1]) {
                        Some(Read::Field(name)) => {
                            fields.insert(name.to_string());
                        }
                        Some(Read::Template(template)) => {
                            fields.extend(template_names(template).map(String::from))
                        }
                        Some(Read::BuiltTemplate) => built_template = true,
                        None => all = true,
                    }
                }
            }
            !all
        });
        if all {
            return CustomerReads::All;
        }
        if built_template {
            // The names a template built at run time most likely has are those written in
            // the script's strings: taken here, they spare the call made again.
            ast.walk(&mut |path: &[ASTNode]| {
                if let Some(ASTNode::Expr(Expr::StringConstant(text, _))) = path.last() {
                    fields.extend(template_names(text).map(String::from));
                }
                true
            });
        }
        CustomerReads::Only(fields)
    }

    /// What two scripts read together.
    pub fn and(self, other: CustomerReads) -> CustomerReads {
        match (self, other) {
            (CustomerReads::Only(mut a), CustomerReads::Only(b)) => {
                a.extend(b);
                CustomerReads::Only(a)
            }
            _ => CustomerReads::All,
        }
    }
}

/// One use of `customer` that reads known columns.
enum Read<'a> {
    Field(&'a str),
    /// `render` with its template written as one string.
    Template(&'a str),
    /// `render` with a template made at run time.
    BuiltTemplate,
}

/// What the use of `customer` at `variable`, inside `parents` (outermost first), reads;
/// `None` when it may read anything.
fn read<'a>(variable: &Expr, parents: &[ASTNode<'a>]) -> Option<Read<'a>> {
    let (parent, above) = parents.split_last()?;
    let assigned_to = |expr: &Expr| matches!(above.last(), Some(ASTNode::Stmt(Stmt::Assignment(a))) if std::ptr::eq(&a.1.lhs, expr));
    match parent {
        ASTNode::Expr(dot @ Expr::Dot(x, ..)) if std::ptr::eq(&x.lhs, variable) && !assigned_to(dot) => {
            // The first step after `customer.`: a property (maybe followed by more steps on
            // its value), or `render`.
            let first = match &x.rhs {
                Expr::Dot(inner, ..) | Expr::Index(inner, ..) => &inner.lhs,
                other => other,
            };
            match first {
                Expr::Property(property, _) => Some(Read::Field(property.2.as_str())),
                Expr::MethodCall(call, _) if call.name == "render" && call.args.len() == 1 => {
                    Some(template(&call.args[0]))
                }
                _ => None,
            }
        }
        ASTNode::Expr(index @ Expr::Index(x, ..))
            if std::ptr::eq(&x.lhs, variable) && !assigned_to(index) =>
        {
            match &x.rhs {
                Expr::StringConstant(name, _) => Some(Read::Field(name.as_str())),
                _ => None,
            }
        }
        // `render(template, customer)`.
        ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _))
            if call.name == "render" && call.args.len() == 2 && std::ptr::eq(&call.args[1], variable) =>
        {
            Some(template(&call.args[0]))
        }
        _ => None,
    }
}

fn template(expr: &Expr) -> Read<'_> {
    match expr {
        Expr::StringConstant(text, _) => Read::Template(text.as_str()),
        _ => Read::BuiltTemplate,
    }
}

#[cfg(test)]
mod tests {
    use super::CustomerReads;

    fn reads(script: &str) -> CustomerReads {
        CustomerReads::of(&super::super::sandbox::engine().compile(script).expect("compiles"))
    }

    fn only(names: &[&str]) -> CustomerReads {
        CustomerReads::Only(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn fields_read_by_name_are_the_fields_the_map_needs() {
        assert_eq!(reads("task(#{ title: \"x\" });"), only(&[]));
        assert_eq!(reads("let a = customer.company;"), only(&["company"]));
        assert_eq!(reads("let w = customer.last_order.days_until(as_of);"), only(&["last_order"]));
        assert_eq!(reads("let f = customer.product_line[0];"), only(&["product_line"]));
        assert_eq!(
            reads("let c = customer[\"城市\"]; let d = `${customer.country}`;"),
            only(&["country", "城市"])
        );
        assert_eq!(reads("fn f(customer) { customer.inside } let x = 1;"), only(&["inside"]));
        assert_eq!(reads("customer.render(\"Dear {{company}}, {{ owner }}\")"), only(&["company", "owner"]));
        assert_eq!(reads("render(\"{{company}}\", customer)"), only(&["company"]));
        // A template built at run time: the names in the script's strings, for a start.
        assert_eq!(
            reads("let s = \"{{city}}\"; customer.render(\"Dear {{company}} \" + s)"),
            only(&["city", "company"])
        );
    }

    #[test]
    fn any_other_use_of_the_customer_takes_every_column() {
        for script in [
            "let c = customer;",
            "(customer + #{ due: 1 }).render(\"{{due}}\")",
            "customer.keys()",
            "customer.len()",
            "customer.company = \"x\";",
            "customer[\"company\"] = \"x\";",
            "customer.orders += 1;",
            "let k = \"company\"; customer[k]",
            "\"company\" in customer",
            "print(customer)",
            "for v in customer.values() { }",
            "fn render(t) { this.len() } customer.render(\"x\")",
            "render(\"{{company}}\", customer, 1)",
            "let f = || customer.company; f.call()",
        ] {
            assert_eq!(reads(script), CustomerReads::All, "{script}");
        }
    }

    #[test]
    fn two_scripts_read_what_each_reads() {
        assert_eq!(only(&["a"]).and(only(&["b"])), only(&["a", "b"]));
        assert_eq!(only(&["a"]).and(CustomerReads::All), CustomerReads::All);
    }
}
