//! `#[command]`: declares a Tauri command once. It expands to `#[tauri::command]` on the function
//! and, beside it, a module of the same name whose `signature()` tells the generated TypeScript
//! bindings the command's arguments and result, read from the function itself. A renamed
//! argument or a changed type then changes the bindings (and the stale-bindings test says so)
//! instead of failing at run time.

use proc_macro::TokenStream;
use quote::quote;
use syn::{
    parse_macro_input, FnArg, GenericArgument, ItemFn, Pat, PathArguments, ReturnType, Type,
};

/// Arguments Tauri fills in itself: not part of what the UI sends.
const INJECTED: &[&str] = &["AppHandle", "State", "Window", "WebviewWindow", "Webview"];

#[proc_macro_attribute]
pub fn command(attribute: TokenStream, item: TokenStream) -> TokenStream {
    if !attribute.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[command] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let function = parse_macro_input!(item as ItemFn);
    let name = &function.sig.ident;
    let name_text = name.to_string();
    let mut arg_names = Vec::new();
    let mut arg_types = Vec::new();
    for input in &function.sig.inputs {
        let FnArg::Typed(typed) = input else {
            return syn::Error::new_spanned(input, "a command takes no self")
                .to_compile_error()
                .into();
        };
        if is_injected(&typed.ty) {
            continue;
        }
        let Pat::Ident(ident) = &*typed.pat else {
            return syn::Error::new_spanned(&typed.pat, "name each command argument plainly")
                .to_compile_error()
                .into();
        };
        arg_names.push(ident.ident.to_string());
        arg_types.push((*typed.ty).clone());
    }
    let returns = match &function.sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => ok_type(ty).unwrap_or_else(|| (**ty).clone()),
    };
    quote! {
        #[tauri::command]
        #function

        #[doc(hidden)]
        pub mod #name {
            #[allow(unused_imports)]
            use super::*;

            /// The command as the UI calls it, from its declaration.
            pub fn signature() -> crate::commands::CommandSignature {
                crate::commands::CommandSignature {
                    name: #name_text,
                    args: vec![#((#arg_names, <#arg_types as ts_rs::TS>::name())),*],
                    returns: <#returns as ts_rs::TS>::name(),
                }
            }
        }
    }
    .into()
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}

fn is_injected(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|segment| INJECTED.iter().any(|name| segment.ident == name))
}

/// `T` of `Result<T, E>`: what the UI receives when the command succeeds.
fn ok_type(ty: &Type) -> Option<Type> {
    let segment = last_segment(ty)?;
    if segment.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    match arguments.args.first()? {
        GenericArgument::Type(ok) => Some(ok.clone()),
        _ => None,
    }
}
